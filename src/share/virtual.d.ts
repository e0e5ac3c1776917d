/** vite.config.ts's export-script plugin: the URL (relative to the page) of the app built as one module for "Export HTML", or null outside a build. */
declare module 'virtual:ctv-export-script' {
  const url: string | null;
  export default url;
  /** The trace worker built as one file, for the same page (null outside a build): the served worker loads parts of itself as chunks. */
  export const workerUrl: string | null;
}
