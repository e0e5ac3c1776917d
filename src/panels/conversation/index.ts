export { ConversationPanel, ThreadSwitcher } from './ConversationPanel';
