/** A row of tabs (role tablist) where one is active; each caller keeps its own look through class names. */
import type { ReactNode } from 'react';

export interface TabDef<T extends string> {
  id: T;
  label: ReactNode;
  title?: string;
  disabled?: boolean;
}

export function TabStrip<T extends string>({
  tabs,
  active,
  onPick,
  label,
  className,
  tabClassName,
  testIdPrefix,
  linkPanels = false,
  children,
}: {
  tabs: readonly TabDef<T>[];
  active: T;
  onPick: (id: T) => void;
  /** The tablist's accessible name. */
  label: string;
  className: string;
  /** Each tab's class; the active one also gets `is-active`. */
  tabClassName: string;
  /** Each tab's data-testid is this prefix and its id. */
  testIdPrefix?: string;
  /** Tabs get ids `tab-<id>` and point at panels `tabpanel-<id>`, which the caller renders. */
  linkPanels?: boolean;
  /** Shown after the tabs, in the same row (a panel's tools). */
  children?: ReactNode;
}) {
  return (
    <div className={className} role="tablist" aria-label={label}>
      {tabs.map((t) => (
        <button
          key={t.id}
          type="button"
          role="tab"
          id={linkPanels ? `tab-${t.id}` : undefined}
          aria-selected={t.id === active}
          aria-controls={linkPanels ? `tabpanel-${t.id}` : undefined}
          disabled={t.disabled}
          className={`${tabClassName}${t.id === active ? ' is-active' : ''}`}
          title={t.title}
          data-testid={testIdPrefix ? `${testIdPrefix}${t.id}` : undefined}
          onClick={() => onPick(t.id)}
        >
          {t.label}
        </button>
      ))}
      {children}
    </div>
  );
}
