/** The loading UI: place these in the app shell. */
export { DropZone } from './DropZone';
export { LoadControls } from './LoadControls';
export { LoadProgress } from './LoadProgress';
export { LoadBanner } from './LoadBanner';
export { BundleListButton, BundlePicker } from './BundlePicker';
export { loadStartupBundle } from './startup';
