// The phone page's two calls: read the visit of its code, and rate it once.
import { readAnswer, send } from '../web/api.ts'
import type { ReceiptRated, ReceiptRatingBody, ReceiptView } from '../contract/receipts.ts'
export { ApiError } from '../web/api.ts'
export type { ReceiptRatingBody, ReceiptView, ReceiptVisit } from '../contract/receipts.ts'
export type { CriterionAnswer } from '../contract/common.ts'

async function call<T> (method: string, path: string, body?: unknown): Promise<T> {
  const init: RequestInit = { cache: 'no-store', signal: AbortSignal.timeout(15_000) }
  return await readAnswer<T>(await send(method, `/api/v1/receipts/${path}`, body, init), (status) => 'HTTP_' + status)
}

export const receiptApi = {
  view: (code: string) => call<ReceiptView>('GET', encodeURIComponent(code)),
  rate: (code: string, body: ReceiptRatingBody) => call<ReceiptRated>('POST', `${encodeURIComponent(code)}/rating`, body)
}
