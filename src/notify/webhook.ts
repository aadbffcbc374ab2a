/** The webhook channel: one HTTP POST of the notification JSON with the built-in fetch, bounded by a timeout. */

export class DeliveryError extends Error {}

export async function postWebhook(url: string, payload: string, timeoutMs: number): Promise<void> {
  let res: Response;
  try {
    res = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'fleet' },
      body: payload,
      signal: AbortSignal.timeout(timeoutMs),
      redirect: 'error',
    });
  } catch (err) {
    // undici puts the useful part (ECONNREFUSED, a timeout) in the cause; the URL is not repeated.
    const e = err as Error & { cause?: { code?: string; message?: string } };
    if (e.name === 'TimeoutError') throw new DeliveryError(`no answer within ${timeoutMs} ms`);
    throw new DeliveryError(e.cause?.code ?? e.cause?.message ?? e.message);
  }
  // The body is read (and discarded) so the connection is released.
  const text = await res.text().catch(() => '');
  if (!res.ok) throw new DeliveryError(`HTTP ${res.status}${text ? `: ${text.slice(0, 200).replace(/\s+/g, ' ')}` : ''}`);
}
