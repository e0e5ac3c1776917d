import type { ReactNode } from 'react';

export type Tone = 'ok' | 'warn' | 'err' | 'info' | 'run' | 'neutral' | 'accent' | 'compaction' | 'outline';

export function Badge({ tone = 'neutral', children, title, className }: { tone?: Tone; children: ReactNode; title?: string; className?: string }) {
  return (
    <span className={`badge badge-${tone}${className ? ` ${className}` : ''}`} title={title}>
      {children}
    </span>
  );
}

const STATUS_TONE: Record<string, Tone> = {
  completed: 'ok',
  running: 'run',
  starting: 'run',
  yielded: 'info',
  failed: 'err',
  aborted: 'warn',
  cancelled: 'warn',
  terminated: 'warn',
};

/** An execution / rollout / code-cell status as a coloured badge. */
export function StatusBadge({ status, title }: { status: string; title?: string }) {
  return (
    <Badge tone={STATUS_TONE[status] ?? 'neutral'} title={title}>
      {status}
    </Badge>
  );
}
