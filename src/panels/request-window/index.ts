export { RequestWindowPanel } from './RequestWindowPanel';
