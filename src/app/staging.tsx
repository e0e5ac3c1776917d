/**
 * Progressive mounting of a newly loaded trace. Building every region's DOM
 * in the task that receives the trace would block the page for one long task
 * (and its layout after it); instead the header and the layout frame paint
 * first and each region mounts in a task of its own, in the order a reader's
 * eye goes: threads, centre panel, bottom panel, inspector. The compaction
 * analysis that the conversation's rows read is done before them, a slice of
 * at most SLICE_MS a task (on the 66 MB recording it was one task of about
 * 100 ms after the summary had painted), and the timeline's model and its
 * levels of detail get a task each before the timeline: built while the
 * timeline mounted, they made two tasks of 60–90 ms.
 */
import { createContext, useContext, useEffect, useState, type ReactNode } from 'react';
import { useStore } from '../store';
import { advanceCompactionAnalysis } from '../trace/compaction';
import { getTimelineModel, laneRuns } from '../trace/timeline';

export const STAGE = { threads: 1, analysis: 2, center: 3, timelineModel: 4, timelineLevels: 5, bottom: 6, inspector: 7 } as const;
const LAST_STAGE = 7;

/** The longest a stage's work runs in one task before it yields (a long task is one over 50 ms). */
const SLICE_MS = 25;

/**
 * Work done before the regions that need it mount (no region waits on it
 * otherwise: it is cached); false while more remains, for another task.
 */
function prepare(stage: number): boolean {
  const { state, indexes } = useStore.getState();
  if (!state) return true;
  if (stage === STAGE.analysis && indexes) return advanceCompactionAnalysis(state, indexes, performance.now() + SLICE_MS, () => performance.now());
  if (stage === STAGE.timelineModel) getTimelineModel(state, indexes);
  if (stage === STAGE.timelineLevels) {
    const model = getTimelineModel(state, indexes);
    for (const lane of model.lanes) laneRuns(model, lane);
  }
  return true;
}

const StageContext = createContext<number>(LAST_STAGE);

/** Counts stages up, one task apart, each time a trace is loaded. */
export function StagedMount({ children }: { children: ReactNode }) {
  const loadSeq = useStore((s) => s.loadSeq);
  const [reached, setReached] = useState({ seq: loadSeq, stage: 0 });
  const stage = reached.seq === loadSeq ? reached.stage : 0;
  useEffect(() => {
    if (stage >= LAST_STAGE) return;
    let t: ReturnType<typeof setTimeout>;
    const step = () => {
      let done = true;
      try {
        done = prepare(stage + 1);
      } catch {
        // An inconsistent state (a partial one from a failed load): the panel that needs this work does it
        // again and shows the error in its own boundary; the regions after it still mount.
      }
      if (done) setReached({ seq: loadSeq, stage: stage + 1 });
      else t = setTimeout(step, 0);
    };
    t = setTimeout(step, 0);
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
