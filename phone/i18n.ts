// The phone page's words: one message table per language, Vietnamese first; the scale, criteria and reasons come from the server.
import { fill, label, lookup, type Lang } from '../web/i18n.ts'
export { fill, label, type Lang }

const vi = {
  title: 'Đánh giá sự phục vụ',
  otherLanguage: 'English',
  counter: 'Quầy {number}',
  servedBy: 'Cán bộ phục vụ: {name}',
  ticket: 'Số thứ tự: {ticket}',
  question: 'Ông/Bà có hài lòng với sự phục vụ của cán bộ?',
  criteriaTitle: 'Cán bộ đã thực hiện những việc nào sau đây?',
  criteriaHint: 'Có thể bỏ qua.',
  yes: 'Có',
  no: 'Không',
  notApplicable: 'Không áp dụng',
  followUpTitle: 'Ông/Bà chưa hài lòng về điều gì?',
  callBackTitle: 'Ông/Bà có muốn cán bộ gọi lại? (không bắt buộc)',
  phoneNumber: 'Số điện thoại',
  phoneInvalid: 'Số điện thoại gồm số 0 và 9–10 chữ số.',
  consentAgree: 'Tôi đồng ý',
  send: 'Gửi đánh giá',
  sending: 'Đang gửi…',
  chooseLevel: 'Xin chọn một mức đánh giá.',
  validUntil: 'Mã có hiệu lực đến {time}.',
  thanks: 'Cảm ơn Ông/Bà!',
  thanksDetail: 'Ý kiến của Ông/Bà đã được ghi nhận.',
  loading: 'Đang tải…',
  invalidTitle: 'Mã không hợp lệ',
  invalidDetail: 'Xin kiểm tra lại đường dẫn hoặc mã QR trên phiếu.',
  expiredTitle: 'Mã đã hết hạn',
  expiredDetail: 'Thời hạn đánh giá qua mã này đã kết thúc.',
  usedTitle: 'Mã này đã được đánh giá',
  usedDetail: 'Mỗi mã chỉ dùng để đánh giá một lần. Cảm ơn Ông/Bà!',
  retry: 'Thử lại',
  networkError: 'Không kết nối được máy chủ. Xin kiểm tra mạng rồi thử lại.',
  rateLimited: 'Ông/Bà đã thử nhiều lần. Xin chờ một phút rồi thử lại.',
  failed: 'Chưa gửi được (mã lỗi {code}). Xin thử lại.'
}

export type MessageKey = keyof typeof vi

const en: Record<MessageKey, string> = {
  title: 'Rate the service',
  otherLanguage: 'Tiếng Việt',
  counter: 'Counter {number}',
  servedBy: 'Served by: {name}',
  ticket: 'Ticket: {ticket}',
  question: 'Were you satisfied with the service?',
  criteriaTitle: 'Which of the following did the officer do?',
  criteriaHint: 'You may skip this.',
  yes: 'Yes',
  no: 'No',
  notApplicable: 'Not applicable',
  followUpTitle: 'What went wrong?',
  callBackTitle: 'Would you like an officer to call you back? (optional)',
  phoneNumber: 'Phone number',
  phoneInvalid: 'A phone number is 0 and 9–10 digits.',
  consentAgree: 'I agree',
  send: 'Send rating',
  sending: 'Sending…',
  chooseLevel: 'Please choose a rating.',
  validUntil: 'This code is valid until {time}.',
  thanks: 'Thank you!',
  thanksDetail: 'Your feedback has been recorded.',
  loading: 'Loading…',
  invalidTitle: 'This code is not valid',
  invalidDetail: 'Please check the link or the QR code on your slip.',
  expiredTitle: 'This code has expired',
  expiredDetail: 'The time to rate with this code has ended.',
  usedTitle: 'This code has already been rated',
  usedDetail: 'Each code rates one visit once. Thank you!',
  retry: 'Try again',
  networkError: 'Cannot reach the server. Please check your connection and try again.',
  rateLimited: 'Too many tries. Please wait a minute and try again.',
  failed: 'Not sent (error code {code}). Please try again.'
}

export const messages: Record<Lang, Record<MessageKey, string>> = { vi, en }

/** The message `key` in `lang`. */
export const text = lookup(messages)
