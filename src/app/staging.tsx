/**
 * Progressive mounting of a newly loaded trace. Building every region's DOM
 * in the task that receives the trace would block the page for one long task
 * (and its layout after it); instead the header and the layout frame paint
 * first and each region mounts in a task of its own, in the order a reader's
 * eye goes: threads, centre panel, bottom panel, inspector.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStore } from '../store';

export const STAGE = { threads: 1, center: 2, bottom: 3, inspector: 4 } as const;
const LAST_STAGE = 4;

const StageContext = createContext<number>(LAST_STAGE);

/** Counts stages up, one task apart, each time a trace is loaded. */
export function StagedMount({ children }: { children: ReactNode }) {
  const loadSeq = useStore((s) => s.loadSeq);
  const [reached, setReached] = useState({ seq: loadSeq, stage: 0 });
  const stage = reached.seq === loadSeq ? reached.stage : 0;
  useEffect(() => {
    if (stage >= LAST_STAGE) return;
    const t = setTimeout(() => setReached({ seq: loadSeq, stage: stage + 1 }), 0);
    return () => clearTimeout(t);
  }, [loadSeq, stage]);
  return <StageContext.Provider value={stage}>{children}</StageContext.Provider>;
}

/** Renders `children` once the stage has been reached; until then an empty, labelled frame. */
export function Stage({ at, children }: { at: number; children: ReactNode }) {
  const stage = useContext(StageContext);
  if (stage >= at) return <>{children}</>;
  return <div className="stage-pending" aria-busy="true" />;
}
