/** The loaded-trace layout: threads | centre tabs (+ optional bottom region) | inspector, with draggable splitters. */
import { useState } from 'react';
import { useStore } from '../store';
import { Inspector } from '../panels/inspector';
import { Splitter } from '../ui/Splitter';
import { TabStrip } from '../ui/TabStrip';
import { DEFAULT_LAYOUT, LAYOUT_LIMITS, useLayoutSizes } from './layoutPrefs';
import { panelsIn, type PanelDef } from './panels';
import { PanelBoundary } from './PanelBoundary';
import { ThreadTree } from './ThreadTree';
import { STAGE, Stage } from './staging';

function Region({ panels, activeId, onPick, label, stage }: { panels: PanelDef[]; activeId: string | null; onPick: (id: string) => void; label: string; stage: number }) {
  const active = panels.find((p) => p.id === activeId) ?? panels[0];
  const loadSeq = useStore((s) => s.loadSeq);
  const Active = active.component;
  return (
    <section className="region" aria-label={label}>
      <TabStrip
        tabs={panels.map((p) => ({ id: p.id, label: p.title, title: p.description }))}
        active={active.id}
        onPick={onPick}
        label={label}
        className="tabs"
        tabClassName="tab"
        linkPanels
      />
      <div className="region-body" role="tabpanel" id={`tabpanel-${active.id}`} aria-labelledby={`tab-${active.id}`}>
        <Stage at={stage}>
          <PanelBoundary key={active.id} name={active.title} resetKey={loadSeq}>
            <Active />
          </PanelBoundary>
        </Stage>
      </div>
    </section>
  );
}

export function Workspace() {
  const [sizes, setSize] = useLayoutSizes();
  const center = useStore((s) => s.panels.center);
  const setCenterPanel = useStore((s) => s.setCenterPanel);
  const centerPanels = panelsIn('center');
  const bottomPanels = panelsIn('bottom');
  const loadSeq = useStore((s) => s.loadSeq);
  return (
    <div className="workspace" style={{ gridTemplateColumns: `${sizes.left}px 1px minmax(0, 1fr) 1px ${sizes.right}px` }}>
      <aside className="ws-left">
        <Stage at={STAGE.threads}>
          <PanelBoundary name="Threads" resetKey={loadSeq}>
            <ThreadTree />
          </PanelBoundary>
        </Stage>
      </aside>
      <Splitter orientation="vertical" size={sizes.left} min={LAYOUT_LIMITS.left[0]} max={LAYOUT_LIMITS.left[1]} onResize={(v) => setSize('left', v)} label="Resize thread list" defaultSize={DEFAULT_LAYOUT.left} />
      <div className="ws-center">
        <Region panels={centerPanels} activeId={center} onPick={setCenterPanel} label="Main panels" stage={STAGE.center} />
        {bottomPanels.length > 0 && (
          <>
            <Splitter
              orientation="horizontal"
              size={sizes.bottom}
              min={LAYOUT_LIMITS.bottom[0]}
              max={LAYOUT_LIMITS.bottom[1]}
              onResize={(v) => setSize('bottom', v)}
              invert
              label="Resize bottom panels"
              defaultSize={DEFAULT_LAYOUT.bottom}
            />
            <div className="ws-bottom" style={{ height: sizes.bottom }}>
              <BottomRegion panels={bottomPanels} />
            </div>
          </>
        )}
      </div>
      <Splitter
        orientation="vertical"
        size={sizes.right}
        min={LAYOUT_LIMITS.right[0]}
        max={LAYOUT_LIMITS.right[1]}
        onResize={(v) => setSize('right', v)}
        invert
        label="Resize inspector"
        defaultSize={DEFAULT_LAYOUT.right}
      />
      <aside className="ws-right" aria-label="Inspector">
        <Stage at={STAGE.inspector}>
          <PanelBoundary name="Inspector" resetKey={loadSeq}>
            <Inspector />
          </PanelBoundary>
        </Stage>
      </aside>
    </div>
  );
}

function BottomRegion({ panels }: { panels: PanelDef[] }) {
  // Bottom-region tab choice is local UI state (not in the URL).
  const [active, setActive] = useState<string | null>(panels[0]?.id ?? null);
  return <Region panels={panels} activeId={active} onPick={setActive} label="Bottom panels" stage={STAGE.bottom} />;
}
