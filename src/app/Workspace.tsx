/**
 * The loaded-trace layout: threads | centre tabs (+ the bottom region) |
 * inspector, with draggable splitters. The bottom region (the timeline) has
 * its own height, and is open or closed, per centre panel: closed, only its
 * tab strip shows, and the centre panel above gets the room.
 */
import { useState } from 'react';
import { useStore } from '../store';
import { Inspector } from '../panels/inspector';
import { Splitter } from '../ui/Splitter';
import { TabStrip } from '../ui/TabStrip';
import { bottomFor, defaultLayout, fittedBottom, LAYOUT_LIMITS, useLayoutSizes } from './layoutPrefs';
import { panelsIn, type PanelDef } from './panels';
import { PanelBoundary } from './PanelBoundary';
import { ThreadTree } from './ThreadTree';
import { STAGE, Stage } from './staging';

function Region({
  panels,
  activeId,
  onPick,
  label,
  stage,
  tools,
}: {
  panels: PanelDef[];
  activeId: string | null;
  onPick: (id: string) => void;
  label: string;
  stage: number;
  tools?: React.ReactNode;
}) {
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
      >
        {tools}
      </TabStrip>
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
  const [sizes, layout] = useLayoutSizes();
  const center = useStore((s) => s.panels.center);
  const setCenterPanel = useStore((s) => s.setCenterPanel);
  const centerPanels = panelsIn('center');
  const bottomPanels = panelsIn('bottom');
  const loadSeq = useStore((s) => s.loadSeq);
  const defaults = defaultLayout();
  const centerId = centerPanels.some((p) => p.id === center) ? center : centerPanels[0].id;
  const timelineWants = useStore((s) => s.timelineWants);
  const bottom = bottomFor(sizes, centerId, fittedBottom(timelineWants));
  return (
    <div className="workspace" style={{ gridTemplateColumns: `${sizes.left}px 1px minmax(0, 1fr) 1px ${sizes.right}px` }}>
      <aside className="ws-left">
        <Stage at={STAGE.threads}>
          <PanelBoundary name="Threads" resetKey={loadSeq}>
            <ThreadTree />
          </PanelBoundary>
        </Stage>
      </aside>
      <Splitter
        orientation="vertical"
        size={sizes.left}
        min={LAYOUT_LIMITS.left[0]}
        max={LAYOUT_LIMITS.left[1]}
        onResize={(v) => layout.set('left', v)}
        label="Resize thread list"
        defaultSize={defaults.left}
      />
      <div className="ws-center">
        <Region
          panels={centerPanels}
          activeId={center}
          onPick={setCenterPanel}
          label="Main panels"
          stage={STAGE.center}
          tools={
            bottom.closed &&
            bottomPanels.length > 0 && (
              <button
                type="button"
                className="region-toggle"
                data-testid="bottom-toggle"
                aria-expanded={false}
                title={`Show the ${bottomPanels[0].title.toLowerCase()} below this panel (it stays open for this panel)`}
                onClick={() => layout.setBottomClosed(centerId, false)}
              >
                {bottomPanels[0].title} ▴
              </button>
            )
          }
        />
        {bottomPanels.length > 0 && !bottom.closed && (
          <>
            <Splitter
              orientation="horizontal"
              size={bottom.height}
              min={LAYOUT_LIMITS.bottom[0]}
              max={LAYOUT_LIMITS.bottom[1]}
              onResize={(v) => layout.setBottom(centerId, v)}
              invert
              label="Resize bottom panels"
              defaultSize={defaults.bottom}
            />
            <div className="ws-bottom" style={{ height: bottom.height }} data-testid="ws-bottom">
              <BottomRegion panels={bottomPanels} onClose={() => layout.setBottomClosed(centerId, true)} />
            </div>
          </>
        )}
      </div>
      <Splitter
        orientation="vertical"
        size={sizes.right}
        min={LAYOUT_LIMITS.right[0]}
        max={LAYOUT_LIMITS.right[1]}
        onResize={(v) => layout.set('right', v)}
        invert
        label="Resize inspector"
        defaultSize={defaults.right}
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

function BottomRegion({ panels, onClose }: { panels: PanelDef[]; onClose: () => void }) {
  // Bottom-region tab choice is local UI state (not in the URL).
  const [active, setActive] = useState<string | null>(panels[0]?.id ?? null);
  const title = panels.find((p) => p.id === active)?.title ?? 'bottom panel';
  return (
    <Region
      panels={panels}
      activeId={active}
      onPick={setActive}
      label="Bottom panels"
      stage={STAGE.bottom}
      tools={
        <button
          type="button"
          className="region-toggle"
          data-testid="bottom-toggle"
          aria-expanded
          title={`Hide the ${title.toLowerCase()} to give the panel above its room (for this panel; the others keep their own)`}
          onClick={onClose}
        >
          Hide ▾
        </button>
      }
    />
  );
}
