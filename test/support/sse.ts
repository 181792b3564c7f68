/** Server-sent events as the e2e tests read them off `GET /v1/jobs/{id}/events`. */

export interface SseEvent {
  type: string;
  data: any;
}

/** One event block (the text between blank lines), or null for a keepalive. */
export function parseSseBlock(block: string): SseEvent | null {
  const type = /^event: (.*)$/m.exec(block)?.[1] ?? 'message';
  if (type === 'keepalive') return null;
  const data = block
    .split('\n')
    .filter((l) => l.startsWith('data: '))
    .map((l) => l.slice(6))
    .join('\n');
  return { type, data: data ? JSON.parse(data) : null };
}

/** A whole stream's events, keepalives left out. */
export function parseSse(text: string): SseEvent[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim())
    .map(parseSseBlock)
    .filter((e): e is SseEvent => e !== null);
}
