import { Modal } from '../ui/Modal';

export const SHORTCUTS: { keys: string[][]; what: string }[] = [
  { keys: [['?']], what: 'Show this list of shortcuts' },
  { keys: [['/']], what: 'Search text, or ids such as call_0009, resp_0011, #8' },
  { keys: [['Esc']], what: 'Close a dialog or the search results' },
  { keys: [['['], ['Alt', '←']], what: 'Back in selection history' },
  { keys: [[']'], ['Alt', '→']], what: 'Forward in selection history' },
  { keys: [['↑'], ['↓']], what: 'Previous / next item (in the conversation)' },
  { keys: [['c']], what: 'Copy a link to this view (trace, selection, time window, filters)' },
  { keys: [['Enter']], what: 'Open the highlighted search result' },
  { keys: [['W'], ['S']], what: 'Timeline: zoom in / out (around the pointer when it is over the timeline)' },
  { keys: [['A'], ['D']], what: 'Timeline: pan left / right' },
  { keys: [['F']], what: 'Timeline: fit the selected range, or the selection' },
  { keys: [['0']], what: 'Timeline: show the whole trace' },
];

export function ShortcutsModal({ onClose }: { onClose: () => void }) {
  return (
    <Modal title="Keyboard shortcuts" onClose={onClose}>
      <table className="shortcuts" data-testid="shortcuts">
        <tbody>
          {SHORTCUTS.map((s) => (
            <tr key={s.what}>
              <td className="shortcut-keys">
                {s.keys.map((combo, i) => (
                  <span key={i}>
                    {i > 0 && <span className="faint"> or </span>}
                    {combo.map((k, j) => (
                      <span key={j}>
                        {j > 0 && '+'}
                        <kbd>{k}</kbd>
                      </span>
                    ))}
                  </span>
                ))}
              </td>
              <td>{s.what}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </Modal>
  );
}
