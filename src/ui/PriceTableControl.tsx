/**
 * Load, show and clear the user's price table: a local JSON file, picked or
 * dropped here. Nothing is fetched. A refused file says why, in words that
 * name the field.
 */
import { useRef, useState, type DragEvent } from 'react';
import { MAX_PRICE_TABLE_BYTES } from '../trace/tokens/prices';
import { clearPriceTable, loadPriceTable, refusePriceTable, usePriceTable } from './priceTable';

export const PRICE_TABLE_HELP =
  'A JSON file of prices per `per` tokens (default 1,000,000), e.g. {"currency":"USD","per":1000000,"models":{"gpt-5.5":{"input":1.25,"cached_input":0.125,"output":10}}}. ' +
  'Reasoning tokens are part of output tokens and are not charged twice; cached input without a cached price is charged as input. A model the table does not name gets no price.';

async function readFile(file: File): Promise<string | null> {
  if (file.size > MAX_PRICE_TABLE_BYTES) {
    refusePriceTable(`${file.name} is too large for a price table (over ${MAX_PRICE_TABLE_BYTES / 1024} KiB); a price table is a small JSON file.`);
    return null;
  }
  return file.text();
}

export function PriceTableControl({ compact = false }: { compact?: boolean }) {
  const { table, name, error } = usePriceTable();
  const input = useRef<HTMLInputElement>(null);
  const [over, setOver] = useState(false);

  const take = async (file: File | undefined) => {
    if (!file) return;
    const text = await readFile(file);
    if (text !== null) loadPriceTable(text, file.name);
  };
  const onDrop = (e: DragEvent) => {
    // Taken here: the window's bundle drop zone leaves a drop it sees prevented alone.
    e.preventDefault();
    setOver(false);
    void take(e.dataTransfer.files[0]);
  };

  return (
    <div
      className={`price-ctl${over ? ' is-over' : ''}${compact ? ' is-compact' : ''}`}
      data-own-drop=""
      data-testid="price-table-control"
      onDragOver={(e) => {
        e.preventDefault();
        setOver(true);
      }}
      onDragLeave={() => setOver(false)}
      onDrop={onDrop}
      title={PRICE_TABLE_HELP}
    >
      <input
        ref={input}
        type="file"
        accept=".json,application/json"
        hidden
        aria-label="Price table file"
        data-testid="price-table-input"
        onChange={(e) => {
          void take(e.target.files?.[0]);
          e.target.value = '';
        }}
      />
      {table ? (
        <>
          <span className="price-ctl-name" data-testid="price-table-name">
            Prices: <span className="mono">{name ?? 'table'}</span>{' '}
            <span className="dim">
              ({table.currency}, {table.models.size} model{table.models.size === 1 ? '' : 's'})
            </span>
          </span>
          <button type="button" className="btn" onClick={() => input.current?.click()}>
            Replace…
          </button>
          <button type="button" className="btn" onClick={clearPriceTable}>
            Clear prices
          </button>
        </>
      ) : (
        <button type="button" className="btn" onClick={() => input.current?.click()}>
          Load price table…
        </button>
      )}
      {!table && !compact && <span className="dim price-ctl-hint">or drop a .json here; costs appear only with one</span>}
      {error && (
        <span className="price-ctl-error" role="alert" data-testid="price-table-error">
          {error}
        </span>
      )}
    </div>
  );
}
