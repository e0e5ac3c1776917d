/** One transcript row: a conversation item, or a "history compacted here" rule for a compaction marker. */
import { memo } from 'react';
import type { TraceIndexes } from '../../trace/indexes/build';
import type { ObjectRef } from '../../trace/indexes/refs';
import { shortItemId } from '../../trace/indexes/resolve';
import type { ConversationItem, ProducerRef, RolloutTrace } from '../../trace/schema/state';
import { Badge } from '../../ui/Badge';
import { BodyParts } from '../../ui/BodyParts';
import { formatClock, formatRelative } from '../../ui/format';
import { RefLink } from '../../ui/RefLink';
import { getCompactionAnalysis } from '../../trace/compaction';
import { CompactionLink } from '../shared/CompactionLink';
import { own } from '../../trace/indexes/refs';

function producerRef(p: ProducerRef): ObjectRef | null {
  switch (p.type) {
    case 'inference':
      return { kind: 'inference_call', id: p.inference_call_id };
    case 'tool':
      return { kind: 'tool_call', id: p.tool_call_id };
    case 'code_cell':
      return { kind: 'code_cell', id: p.code_cell_id };
    case 'compaction':
      return { kind: 'compaction', id: p.compaction_id };
    case 'interaction_edge':
      return { kind: 'interaction_edge', id: p.edge_id };
    default:
      return null;
  }
}

function compactionLabel(idx: TraceIndexes, id: string) {
  const n = idx.compactionOrdinal.get(id);
  return n ? `compaction ${n}` : `compaction ${id.slice(0, 8)}`;
}

export interface ItemRowProps {
  state: RolloutTrace;
  indexes: TraceIndexes;
  item: ConversationItem;
  /** 'selected' = this item is the selection; 'related' = the selection is revealed at this item. */
  highlight: 'selected' | 'related' | null;
  /** Whether the trace records acceptance (schema 2+): show accepted / not accepted. */
  showAcceptance: boolean;
  onSelect: (itemId: string) => void;
}

function MarkerRow({ state, indexes, item, highlight, onSelect }: ItemRowProps) {
  const compactionId = indexes.itemMarkerOf.get(item.item_id);
  const producer = item.produced_by.find((p) => p.type === 'compaction');
  const cid = compactionId ?? (producer?.type === 'compaction' ? producer.compaction_id : null);
  const c = cid ? own(state.compactions, cid) : undefined;
  return (
    <div
      className={`conv-row conv-marker${highlight ? ` is-${highlight}` : ''}`}
      data-testid="conv-row"
      data-item-id={item.item_id}
      data-kind="compaction_marker"
      aria-selected={highlight === 'selected'}
      role="option"
      onClick={() => onSelect(item.item_id)}
    >
      <span className="marker-rule" />
      <span className="marker-label">
        <span className="marker-title">History compacted here</span>
        {cid && <CompactionLink target={{ kind: 'compaction', id: cid }}>{compactionLabel(indexes, cid)}</CompactionLink>}
        {c && (
          <span className="faint">
            {c.input_item_ids.length} replaced · {c.replacement_item_ids.length} installed
          </span>
        )}
        <span className="faint mono">#{shortItemId(item.item_id)}</span>
      </span>
      <span className="marker-rule" />
    </div>
  );
}

function ItemRowImpl(props: ItemRowProps) {
  const { state, indexes, item, highlight, showAcceptance, onSelect } = props;
  if (item.kind === 'compaction_marker') return <MarkerRow {...props} />;
  const replacedBy = indexes.itemReplacedBy.get(item.item_id) ?? [];
  const installedBy = indexes.itemInstalledBy.get(item.item_id) ?? [];
  // History shrinks with no compaction record (e.g. local compaction) that dropped this item.
  const analysis = getCompactionAnalysis(state, indexes);
  const droppedBy = (analysis.replacedIn.get(item.item_id) ?? []).map((k) => analysis.byKey.get(k)!).filter((e) => e && e.kind === 'untraced');
  // …and the summary such a compaction put in place of what it dropped.
  const summaryOf = (analysis.byThread.get(item.thread_id) ?? []).filter((e) => e.kind === 'untraced' && e.summaryId === item.item_id);
  const accepted = item.accepted_seq != null;
  const instructions = item.role === 'developer' || item.role === 'system';
  const producers = item.produced_by.map(producerRef).filter((r): r is ObjectRef => r !== null);
  return (
    <div
      className={`conv-row conv-item role-${item.role}${replacedBy.length || droppedBy.length ? ' is-replaced' : ''}${installedBy.length ? ' is-installed' : ''}${highlight ? ` is-${highlight}` : ''}`}
      data-testid="conv-row"
      data-item-id={item.item_id}
      data-kind={item.kind}
      aria-selected={highlight === 'selected'}
      role="option"
      onClick={() => onSelect(item.item_id)}
    >
      <div className="conv-row-head">
        <span className="conv-num mono" title={item.item_id}>
          #{shortItemId(item.item_id)}
        </span>
        <span className={`role-badge role-${item.role}`}>{item.role}</span>
        {item.kind !== 'message' && <Badge tone="outline">{item.kind.replace(/_/g, ' ')}</Badge>}
        {item.channel && <span className="conv-channel mono">{item.channel}</span>}
        {item.agent_message && (
          <span className="conv-agent-msg mono" title="agent message">
            {item.agent_message.author} → {item.agent_message.recipient}
          </span>
        )}
        {showAcceptance &&
          (accepted ? (
            <span className="conv-accepted" title={`accepted at seq ${item.accepted_seq}`}>
              ✓ accepted
            </span>
          ) : (
            <Badge tone="warn" title="Never accepted into history (history_item_accepted)">
              not accepted
            </Badge>
          ))}
        {item.call_id && (
          <span className="conv-call-id mono" title="call_id">
            {item.call_id}
          </span>
        )}
        <span className="conv-spacer" />
        {producers.length > 0 && (
          <span className="conv-producers">
            <span className="faint">from</span>
            {producers.map((r) => (
              <RefLink key={`${r.kind}:${r.id}`} target={r} />
            ))}
          </span>
        )}
        <span className="conv-time mono" title="first seen">
          {formatRelative(item.first_seen_at_unix_ms, state.started_at_unix_ms)}
        </span>
      </div>
      <div className="conv-body">
        {/* Instructions (a 20 KB system prompt opens every trace) show one line each, so the first prompt is in view. */}
        <BodyParts parts={item.body.parts} limit={instructions ? 160 : 360} maxLines={instructions ? 1 : 5} />
      </div>
      {(replacedBy.length > 0 || installedBy.length > 0 || droppedBy.length > 0 || summaryOf.length > 0) && (
        <div className="conv-marks">
          {summaryOf.map((e) => (
            <span
              key={`s${e.key}`}
              className="conv-mark mark-installed mark-untraced"
              data-testid="mark-summary"
              data-event-key={e.key}
              title="The summary an untraced compaction (no record in the trace) put in place of the history it dropped"
            >
              summary of{' '}
              <CompactionLink target={e.ref} fromItem={item.item_id}>
                {e.label.toLowerCase()}
              </CompactionLink>
              <span className="mark-time mono"> at {formatClock(e.atMs)}</span>
            </span>
          ))}
          {installedBy.map((c) => (
            <span key={`i${c}`} className="conv-mark mark-installed" data-testid="mark-installed" data-compaction-id={c}>
              installed by{' '}
              <CompactionLink target={{ kind: 'compaction', id: c }} fromItem={item.item_id}>
                {compactionLabel(indexes, c)}
              </CompactionLink>
              {own(state.compactions, c) && <span className="mark-time mono"> at {formatClock(own(state.compactions, c)!.installed_at_unix_ms)}</span>}
            </span>
          ))}
          {replacedBy.map((c) => (
            <span key={`r${c}`} className="conv-mark mark-replaced" data-testid="mark-replaced" data-compaction-id={c}>
              replaced by{' '}
              <CompactionLink target={{ kind: 'compaction', id: c }} fromItem={item.item_id}>
                {compactionLabel(indexes, c)}
              </CompactionLink>
              {own(state.compactions, c) && <span className="mark-time mono"> at {formatClock(own(state.compactions, c)!.installed_at_unix_ms)}</span>}
            </span>
          ))}
          {droppedBy.map((e) => (
            <span
              key={`u${e.key}`}
              className="conv-mark mark-replaced mark-untraced"
              data-testid="mark-untraced"
              data-event-key={e.key}
              title="The request window dropped it with no compaction record in the trace"
            >
              dropped by{' '}
              <CompactionLink target={e.ref} fromItem={item.item_id}>
                {e.label.toLowerCase()}
              </CompactionLink>
              <span className="mark-time mono"> at {formatClock(e.atMs)}</span>
            </span>
          ))}
        </div>
      )}
    </div>
  );
}

export const ItemRow = memo(ItemRowImpl);
