/**
 * Which user messages the user typed. Codex also sends its environment and
 * instruction preambles with the role "user"; a viewer that looks for "the
 * prompt" (the session list's first prompt, where a transcript opens) skips them.
 */
import type { ConversationItem } from './schema/state';

const INJECTED = /^\s*(<environment_context>|<user_instructions>|<permissions instructions>|# AGENTS\.md|<INSTRUCTIONS>)/;

/** The text of a user message the user typed; null for any other item, or an injected preamble. */
export function typedPromptText(item: ConversationItem): string | null {
  if (item.role !== 'user' || item.kind !== 'message') return null;
  const text = item.body.parts
    .map((p) => (p.type === 'text' ? p.text : ''))
    .join('')
    .trim();
  return text && !INJECTED.test(text) ? text : null;
}
