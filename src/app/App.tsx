/**
 * The app shell: header (identity, summary, search, load controls), load
 * notices, and either the welcome screen or the workspace
 * (threads | conversation & other centre panels | inspector).
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { BundlePicker, DropZone, LoadBanner, LoadProgress } from '../loader';
import { PayloadReaderProvider } from '../ui/payloadReader';
import { installUrlSync, useStore } from '../store';
import { usePickerStore } from '../loader/pickerStore';
import { traceClient } from '../worker/client';
import { Header } from './Header';
import { PanelBoundary } from './PanelBoundary';
import { PendingViewBanner } from '../share/PendingViewBanner';
import { ViewNoticeBanner } from '../share/ViewNoticeBanner';
import { focusSearch } from './SearchBox';
import { ServicesContext, type TraceServices } from './services';
import { useShortcuts } from './useShortcuts';
import { StagedMount } from './staging';
import { Welcome } from './Welcome';
import { SessionFeed, useSessionsShown } from './sessionsFeed';
import { lazyPart, PENDING } from './lazy';
import { Workspace } from './Workspace';
import '../ui/theme.css';
import '../ui/ui.css';
import './app.css';

// Not on the first paint of a trace: chunks of their own (./lazy.tsx).
const SessionsPage = lazyPart(() => import('./SessionsPage').then((m) => m.SessionsPage), PENDING).Component;
const ShortcutsModal = lazyPart(() => import('./ShortcutsModal').then((m) => m.ShortcutsModal)).Component;

/** The data path's services: the trace worker. */
export const workerServices: TraceServices = {
  readPayload: (path) => traceClient.readPayload(path),
  search: (query, limit) => traceClient.search(query, limit),
};

export function App({ services }: { services?: TraceServices }) {
  const [helpOpen, setHelpOpen] = useState(false);
  const hasTrace = useStore((s) => s.state !== null);
  const bundleKey = useStore((s) => s.bundleKey);
  const loadSeq = useStore((s) => s.loadSeq);
  // The served sessions, where the server keeps a session list: over the trace view, or as the start page.
  const sessions = useSessionsShown();
  // With nothing open, a bundle list to choose from takes the page.
  const choosing = usePickerStore((s) => s.open) && !hasTrace && !sessions;

  useEffect(() => installUrlSync(useStore), []);

  const svc = services ?? workerServices;
  const openHelp = useCallback(() => setHelpOpen(true), []);
  const closeHelp = useCallback(() => setHelpOpen(false), []);
  useShortcuts({ openHelp, closeHelp, helpOpen, focusSearch });

  const reader = useMemo(() => svc.readPayload.bind(svc), [svc]);

  return (
    <ServicesContext.Provider value={svc}>
      <PayloadReaderProvider reader={reader} cacheKey={`${bundleKey ?? ''}#${loadSeq}`}>
        <DropZone>
          <div className="app" data-has-trace={hasTrace || undefined}>
            <Header onHelp={openHelp} />
            <div className={`app-notices${choosing ? ' is-full' : ''}`}>
              <LoadProgress />
              <LoadBanner />
              <PendingViewBanner />
              <ViewNoticeBanner />
              {!sessions && <BundlePicker />}
            </div>
            <SessionFeed />
            {sessions ? (
              <PanelBoundary name="Sessions" resetKey={0}>
                <SessionsPage />
              </PanelBoundary>
            ) : hasTrace ? (
              <StagedMount>
                <PanelBoundary name="Workspace" resetKey={loadSeq}>
                  <Workspace />
                </PanelBoundary>
              </StagedMount>
            ) : choosing ? null : (
              <Welcome />
            )}
          </div>
          {helpOpen && <ShortcutsModal onClose={closeHelp} />}
        </DropZone>
      </PayloadReaderProvider>
    </ServicesContext.Provider>
  );
}

export default App;
