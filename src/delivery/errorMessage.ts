import { MAX_ERROR_DETAIL_CHARS } from './constants';

/**
 * The message of anything thrown, cut to a readable length. Duck-typed rather than `instanceof Error`:
 * errors from another realm (a VM context, a worker) are Errors too.
 */
export function errorMessage(error: unknown, maxChars = MAX_ERROR_DETAIL_CHARS): string {
  const text =
    typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string'
      ? (error as { message: string }).message
      : String(error);
  return text.length > maxChars ? `${text.slice(0, maxChars)}…` : text;
}
