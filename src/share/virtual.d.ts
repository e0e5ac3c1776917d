/** vite.config.ts's export-script plugin: the URL (relative to the page) of the app built as one module for "Export HTML", or null outside a build. */
declare module 'virtual:ctv-export-script' {
  const url: string | null;
  export default url;
}
