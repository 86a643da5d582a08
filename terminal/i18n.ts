// The terminal's words: one message table per language, Vietnamese first; the scale and criteria labels come from the server.
import { fill, label, lookup, type Lang } from '../web/i18n.ts'
export { fill, label, type Lang }

const vi = {
  appName: 'Hài Lòng',
  question: 'Ông/Bà có hài lòng với sự phục vụ của cán bộ?',
  counter: 'Quầy',
  noOfficer: 'Chưa có cán bộ đăng nhập',
  otherLanguage: 'English',
  otherLanguageLang: 'en',
  criteriaTitle: 'Cán bộ đã thực hiện những việc nào sau đây?',
  criteriaHint: 'Ông/Bà vui lòng chọn một câu trả lời cho từng nội dung; có thể bỏ qua.',
  yes: 'Có',
  no: 'Không',
  // A no-break space: the button breaks it as "Không / áp dụng", two lines, never three.
  notApplicable: 'Không áp\u00a0dụng',
  send: 'Gửi',
  skip: 'Bỏ qua',
  thanks: 'Cảm ơn Ông/Bà!',
  thanksDetail: 'Ý kiến của Ông/Bà đã được ghi nhận.',
  wait: 'Xin vui lòng chờ giây lát…',
  staff: 'Cán bộ',
  staffTitle: 'Cán bộ đăng nhập tại quầy',
  staffCode: 'Mã cán bộ',
  pin: 'Mã PIN',
  signIn: 'Đăng nhập',
  signOut: 'Đăng xuất',
  signedInAs: 'Đang phục vụ:',
  back: 'Quay lại',
  clear: 'Xóa',
  backspace: 'Xóa một số',
  wrongCredentials: 'Mã cán bộ hoặc mã PIN không đúng.',
  lockedUntil: 'Có thể đăng nhập lại sau {until}.',
  pairTitle: 'Ghép nối thiết bị',
  pairHint: 'Nhập mã ghép nối 8 số hiển thị trên trang quản trị.',
  pairingCode: 'Mã ghép nối',
  pair: 'Ghép nối',
  pairInvalid: 'Mã ghép nối không đúng, đã dùng hoặc đã hết hạn.',
  pairRateLimited: 'Thử quá nhiều lần. Vui lòng chờ một lát rồi thử lại.',
  repairNotice: 'Thiết bị đã bị thu hồi. Các đánh giá chưa gửi vẫn được giữ lại.',
  networkError: 'Không kết nối được máy chủ. Vui lòng thử lại.',
  loading: 'Đang tải…',
  online: 'Trực tuyến',
  offline: 'Mất kết nối',
  pending: 'đánh giá chờ gửi'
}

export type MessageKey = keyof typeof vi

const en: Record<MessageKey, string> = {
  appName: 'Hài Lòng',
  question: 'Were you satisfied with the service?',
  counter: 'Counter',
  noOfficer: 'No officer signed in',
  otherLanguage: 'Tiếng Việt',
  otherLanguageLang: 'vi',
  criteriaTitle: 'Which of the following did the officer do?',
  criteriaHint: 'Please choose an answer for each item; you may skip.',
  yes: 'Yes',
  no: 'No',
  notApplicable: 'Not applicable',
  send: 'Send',
  skip: 'Skip',
  thanks: 'Thank you!',
  thanksDetail: 'Your feedback has been recorded.',
  wait: 'Please wait a moment…',
  staff: 'Staff',
  staffTitle: 'Officer sign-in at this counter',
  staffCode: 'Staff code',
  pin: 'PIN',
  signIn: 'Sign in',
  signOut: 'Sign out',
  signedInAs: 'Now serving:',
  back: 'Back',
  clear: 'Clear',
  backspace: 'Delete a digit',
  wrongCredentials: 'Wrong staff code or PIN.',
  lockedUntil: 'Sign-in opens again at {until}.',
  pairTitle: 'Pair this device',
  pairHint: 'Enter the 8-digit pairing code shown on the admin page.',
  pairingCode: 'Pairing code',
  pair: 'Pair',
  pairInvalid: 'The pairing code is wrong, used or expired.',
  pairRateLimited: 'Too many tries. Please wait a moment and try again.',
  repairNotice: 'This device was revoked. Ratings not yet sent are kept.',
  networkError: 'Cannot reach the server. Please try again.',
  loading: 'Loading…',
  online: 'Online',
  offline: 'Offline',
  pending: 'ratings waiting to be sent'
}

export const messages: Record<Lang, Record<MessageKey, string>> = { vi, en }

/** The message `key` in `lang`. */
export const text = lookup(messages)
