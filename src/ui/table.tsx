/**
 * What the sortable, filterable tables share (@tanstack/react-table): the
 * table with its sort state and row models, and the sort direction shown on a
 * header. Each table keeps its own markup and filter inputs.
 */
import {
  getCoreRowModel,
  getFilteredRowModel,
  getSortedRowModel,
  useReactTable,
  type ColumnDef,
  type ColumnFiltersState,
  type OnChangeFn,
  type SortDirection,
  type SortingState,
  type TableOptions,
  type VisibilityState,
} from '@tanstack/react-table';
import { useState } from 'react';

export function useSortableTable<T>(opts: {
  data: T[];
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tanstack's own column type: each column has its own value type
  columns: ColumnDef<T, any>[];
  columnFilters: ColumnFiltersState;
  onColumnFiltersChange?: OnChangeFn<ColumnFiltersState>;
  columnVisibility?: VisibilityState;
  getRowId?: (row: T) => string;
}) {
  const [sorting, setSorting] = useState<SortingState>([]);
  const options: TableOptions<T> = {
    data: opts.data,
    columns: opts.columns,
    state: { sorting, columnFilters: opts.columnFilters, ...(opts.columnVisibility ? { columnVisibility: opts.columnVisibility } : {}) },
    onSortingChange: setSorting,
    getCoreRowModel: getCoreRowModel(),
    getSortedRowModel: getSortedRowModel(),
    getFilteredRowModel: getFilteredRowModel(),
  };
  // Only when given: an explicit undefined would replace the library's defaults.
  if (opts.onColumnFiltersChange) options.onColumnFiltersChange = opts.onColumnFiltersChange;
  if (opts.getRowId) options.getRowId = opts.getRowId;
  const table = useReactTable(options);
  return { table, sorting, setSorting };
}

/** A header's aria-sort for its column's sort direction. */
export function ariaSort(dir: false | SortDirection): 'ascending' | 'descending' | 'none' {
  return dir === 'asc' ? 'ascending' : dir === 'desc' ? 'descending' : 'none';
}

/** ▲ / ▼ after a sorted header's title. */
export function SortMark({ dir, className }: { dir: false | SortDirection; className: string }) {
  return <span className={className}>{dir === 'asc' ? '▲' : dir === 'desc' ? '▼' : ''}</span>;
}
