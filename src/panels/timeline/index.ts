export { TimelinePanel, TIMELINE_FALLBACK_SIZE } from './TimelinePanel';
