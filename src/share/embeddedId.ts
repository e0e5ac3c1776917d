/** The id of an exported page's data block (./embedded.ts): apart, so that a page can look for it without loading the code that reads it. */
export const EMBEDDED_ID = 'ctv-embedded';
