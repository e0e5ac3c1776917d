export { TokensPanel } from './TokensPanel';
