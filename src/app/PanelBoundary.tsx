/**
 * An error boundary around one panel: when the panel throws while rendering,
 * its error is shown in its place (panel name, message) with a way out, and
 * the rest of the app keeps working. Without it React unmounts the whole app
 * (a white page), and a link that causes the error does so again on reload.
 */
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { useStore } from '../store';

interface Props {
  /** The panel's name as the user knows it (tab title). */
  name: string;
  /** A change of this value (a new trace) clears a caught error. */
  resetKey?: unknown;
  children: ReactNode;
}

interface State {
  error: Error | null;
  resetKey: unknown;
}

function messageOf(e: unknown): string {
  if (e instanceof Error) return e.message || e.name;
  try {
    return String(e);
  } catch {
    return 'unknown error';
  }
}

export class PanelBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: this.props.resetKey };

  static getDerivedStateFromError(error: unknown): Partial<State> {
    return { error: error instanceof Error ? error : new Error(messageOf(error)) };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    return Object.is(props.resetKey, state.resetKey) ? null : { error: null, resetKey: props.resetKey };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo): void {
    console.error(`panel ${this.props.name} failed:`, error, info.componentStack);
  }

  private retry = () => this.setState({ error: null });

  /** Clear what most often makes a panel fail (the selection, the thread), then render it again. */
  private reset = () => {
    const s = useStore.getState();
    s.select(null);
    const st = s.state;
    if (st) s.setActiveThread(Object.hasOwn(st.threads, st.root_thread_id) ? st.root_thread_id : (Object.keys(st.threads)[0] ?? null));
    this.setState({ error: null });
  };

  override render(): ReactNode {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="panel-error" role="alert" data-testid="panel-error" data-panel={this.props.name}>
        <strong className="panel-error__title">The {this.props.name} panel failed</strong>
        <pre className="panel-error__message mono" data-testid="panel-error-message">
          {messageOf(error)}
        </pre>
        <span className="dim">The rest of the viewer still works.</span>
        <div className="panel-error__actions">
          <button type="button" className="ctv-btn ctv-btn--small" onClick={this.retry}>
            Retry
          </button>
          <button type="button" className="ctv-btn ctv-btn--small" onClick={this.reset}>
            Reset selection and retry
          </button>
        </div>
      </div>
    );
  }
}
