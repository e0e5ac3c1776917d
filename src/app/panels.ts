/**
 * The panel registry: every panel the app shell can show, and where.
 * Only list panels that exist. To add one (timeline, compaction, request
 * window…), append an entry; the shell renders a tab for it in its region.
 *
 * Panels read everything they need from the store (`useStore`):
 * state, indexes, selection/select, activeThreadId, viewport, filters.
 */
import type { ComponentType } from 'react';
import { ConversationPanel } from '../panels/conversation';
import { TimelinePanel } from '../panels/timeline';
import { lazyPart, PENDING } from './lazy';

// The tabs a trace does not open on load in chunks of their own (./lazy.tsx); the conversation and the timeline are on the first paint.
const CompactionPanel = lazyPart(() => import('../panels/compaction').then((m) => m.CompactionPanel), PENDING).Component;
const RequestWindowPanel = lazyPart(() => import('../panels/request-window').then((m) => m.RequestWindowPanel), PENDING).Component;
const TokensPanel = lazyPart(() => import('../panels/tokens').then((m) => m.TokensPanel), PENDING).Component;

export type PanelRegion = 'center' | 'bottom';

export interface PanelDef {
  /** Stable id; stored in the URL view state (`panels.center`). */
  id: string;
  title: string;
  region: PanelRegion;
  component: ComponentType;
  /** Optional one-line description (tab tooltip). */
  description?: string;
}

export const PANELS: readonly PanelDef[] = [
  {
    id: 'conversation',
    title: 'Conversation',
    region: 'center',
    component: ConversationPanel,
    description: "A thread's transcript: every conversation item in order, with compactions",
  },
  {
    id: 'compaction',
    title: 'Compactions',
    region: 'center',
    component: CompactionPanel,
    description: 'Every compaction of every thread: what it replaced, before/after history, size, requests',
  },
  {
    id: 'request-window',
    title: 'Request windows',
    region: 'center',
    component: RequestWindowPanel,
    description: 'What each model call saw: its request window, the diff against the previous request, context strata over time, all calls',
  },
  {
    id: 'tokens',
    title: 'Tokens',
    region: 'center',
    component: TokensPanel,
    description: 'Input, cached, output and reasoning tokens per session, thread, turn and call; cost under your price table; what each compaction saved',
  },
  {
    id: 'timeline',
    title: 'Timeline',
    region: 'bottom',
    component: TimelinePanel,
    description: 'The whole session on one time axis: every agent, turn, inference and tool call; zoom with W/S or the wheel',
  },
];

export function panelsIn(region: PanelRegion): PanelDef[] {
  return PANELS.filter((p) => p.region === region);
}
