// What every API error `code` means to a person, in Vietnamese and English: the apps show these, never the API's own (English) message.
import type { ErrorCode } from '../contract/errors.ts'
import type { Lang } from './i18n.ts'

type Texts = readonly [vi: string, en: string]

/** Every code the API can answer (contract/errors.ts): a code without its two sentences fails the typecheck. */
export const errorTexts: Record<ErrorCode, Texts> = {
  ALERT_ALREADY_ACKNOWLEDGED: ['Cảnh báo này đã được xác nhận.', 'This alert was already acknowledged.'],
  ALERT_NOT_FOUND: ['Không tìm thấy cảnh báo.', 'Alert not found.'],
  ALERT_RULE_NOT_FOUND: ['Không tìm thấy quy tắc cảnh báo.', 'Alert rule not found.'],
  ALREADY_EXISTS: ['Đã có một mục với giá trị này.', 'Something with the same value already exists.'],
  API_TOKEN_OWNER_INACTIVE: [
    'Khóa API này tạm ngừng vì tài khoản tạo ra nó đã bị vô hiệu hóa. Đề nghị quản trị viên cấp khóa mới.',
    'This API token is suspended because the account that created it is deactivated. Ask an admin for a new token.'
  ],
  API_TOKEN_NOT_FOUND: ['Không tìm thấy khóa API.', 'API token not found.'],
  ASSIGNEE_INVALID: ['Chỉ giao phản ánh cho quản trị viên hoặc giám sát viên đang hoạt động có phạm vi chứa phản ánh này.', 'A case can only be given to an active admin or supervisor whose scope holds it.'],
  ASSIGNMENT_NOT_FOUND: ['Không tìm thấy ca làm việc.', 'Shift not found.'],
  AUTH_REQUIRED: ['Phiên làm việc đã hết. Vui lòng đăng nhập lại.', 'Your session has ended. Please sign in again.'],
  BAD_REQUEST: ['Yêu cầu không hợp lệ.', 'The request is not valid.'],
  BAD_URL: ['Địa chỉ không hợp lệ.', 'The address is not valid.'],
  BODY_TOO_LARGE: ['Dữ liệu gửi lên quá lớn.', 'What was sent is too large.'],
  CASE_ALREADY_RESOLVED: ['Phản ánh này đã được xử lý.', 'This case was already resolved.'],
  CASE_NOT_RESOLVED: [
    'Phản ánh này đang mở: chỉ mở lại được phản ánh đã xử lý.',
    'This case is open: only a resolved case can be reopened.'
  ],
  CASE_NOT_FOUND: ['Không tìm thấy phản ánh.', 'Case not found.'],
  CONSTRAINT_VIOLATED: ['Có giá trị nằm ngoài phạm vi cho phép.', 'A value is outside what is allowed.'],
  COUNTER_INACTIVE: ['Quầy này đã ngừng hoạt động.', 'This counter is no longer in use.'],
  COUNTER_NOT_FOUND: ['Không tìm thấy quầy.', 'Counter not found.'],
  COUNTER_NUMBER_TAKEN: ['Số quầy này đã có trong đơn vị.', 'This counter number is already used in the unit.'],
  CRITERIA_INVALID: ['Danh sách tiêu chí không hợp lệ.', 'The criteria are not valid.'],
  CRITERION_UNKNOWN: ['Có tiêu chí không có trong danh mục.', 'A criterion is not in the catalogue.'],
  DATABASE_UNAVAILABLE: ['Cơ sở dữ liệu tạm thời không truy cập được.', 'The database cannot be reached right now.'],
  EMPTY_JSON_BODY: ['Yêu cầu thiếu nội dung.', 'The request has no content.'],
  FORBIDDEN: ['Tài khoản không có quyền thực hiện việc này.', 'Your account may not do this.'],
  INTERNAL_ERROR: ['Máy chủ gặp sự cố. Vui lòng thử lại sau.', 'The server had a problem. Please try again later.'],
  INTERVAL_INVALID: ['Khoảng thời gian gộp số liệu không hợp lệ.', 'The trend interval is not valid.'],
  INVALID_CHARACTER: ['Có ký tự không lưu được.', 'A value contains a character that cannot be stored.'],
  INVALID_CONTENT_LENGTH: ['Độ dài dữ liệu gửi lên không đúng.', 'The length of what was sent is wrong.'],
  INVALID_CREDENTIALS: ['Thông tin đăng nhập không đúng.', 'The sign-in details are wrong.'],
  INVALID_CURSOR: ['Không tải thêm được: vui lòng tải lại trang.', 'Could not load more: please reload the page.'],
  INVALID_DATE: ['Ngày không hợp lệ.', 'The date is not valid.'],
  INVALID_JSON: ['Dữ liệu gửi lên không đúng định dạng.', 'What was sent is not well formed.'],
  INVALID_RULE_PARAMETERS: ['Thông số của quy tắc không hợp lệ.', "The rule's parameters are not valid."],
  INVALID_VALUE: ['Có giá trị sai định dạng.', 'A value has the wrong format.'],
  LEVEL_UNKNOWN: ['Mức đánh giá không có trên thang đo.', 'The level is not on the rating scale.'],
  METRICS_PRIVATE: ['Số liệu vận hành chỉ xem được trong mạng nội bộ.', 'Metrics are served to the local network only.'],
  METRICS_TOKEN_REQUIRED: ['Cần khóa truy cập số liệu vận hành.', 'The metrics token is required.'],
  NOTHING_TO_CHANGE: ['Không có gì để thay đổi.', 'Nothing to change.'],
  NOT_FOUND: ['Không tìm thấy.', 'Not found.'],
  OFFICER_ALREADY_LINKED: ['Cán bộ này đã có tài khoản người dùng.', 'This officer already has a user account.'],
  OFFICER_INACTIVE: ['Cán bộ này đã ngừng công tác.', 'This officer is no longer active.'],
  OFFICER_LOCKED: [
    'Tài khoản tạm khóa do nhập sai mã PIN nhiều lần. Vui lòng thử lại sau hoặc đề nghị người phụ trách đặt lại mã PIN.',
    'Locked after too many wrong PINs. Try again later or ask a supervisor to reset the PIN.'
  ],
  OFFICER_NOT_FOUND: ['Không tìm thấy cán bộ.', 'Officer not found.'],
  OFFICER_ONLY_FOR_OFFICER_ROLE: ['Chỉ tài khoản vai trò Cán bộ mới gắn với cán bộ.', 'Only an officer account is linked to an officer.'],
  OFFICER_REQUIRED: ['Cần chọn cán bộ cho tài khoản này.', 'Choose the officer for this account.'],
  ORIGIN_REJECTED: ['Yêu cầu bị từ chối vì không gửi từ trang của hệ thống.', 'Refused: the request did not come from this site.'],
  OWN_ACCESS_UNCHANGEABLE: [
    'Không thể tự thay đổi vai trò, phạm vi hoặc trạng thái của chính mình.',
    'You cannot change your own role, scope or status.'
  ],
  PAIRING_CODE_INVALID: ['Mã ghép nối không đúng, đã dùng hoặc đã hết hạn.', 'The pairing code is wrong, used or expired.'],
  PARAMETER_TOO_LONG: ['Địa chỉ quá dài.', 'The address is too long.'],
  PASSWORD_CONTAINS_USERNAME: ['Mật khẩu không được trùng hoặc chứa tên đăng nhập.', 'The password must not be, or contain, the username.'],
  PASSWORD_TOO_COMMON: [
    'Mật khẩu này quá phổ biến, dễ bị đoán. Vui lòng chọn mật khẩu khác.',
    'This password is too common and easily guessed. Please choose another.'
  ],
  PASSWORD_TOO_SHORT: ['Mật khẩu phải có ít nhất 8 ký tự.', 'The password must be at least 8 characters long.'],
  RANGE_INVALID: ['Khoảng thời gian không hợp lệ.', 'The period is not valid.'],
  RANGE_TOO_LONG: ['Khoảng thời gian quá dài cho bảng này.', 'The period is too long for this table.'],
  RATE_LIMITED: ['Thử quá nhiều lần. Vui lòng chờ một lát rồi thử lại.', 'Too many tries. Please wait a moment and try again.'],
  REFERENCE_NOT_FOUND: [
    'Mục được tham chiếu không tồn tại hoặc đang được sử dụng.',
    'A referenced item does not exist or is still in use.'
  ],
  ROLE_NOT_ALLOWED: ['Tài khoản không có quyền thực hiện việc này.', 'Your role may not do this.'],
  ROUTE_NOT_FOUND: ['Chức năng không tồn tại.', 'No such function.'],
  SCALE_INVALID: ['Thang đánh giá không hợp lệ.', 'The rating scale is not valid.'],
  STAFF_CODE_TAKEN: ['Mã cán bộ này đã được dùng.', 'This staff code is already used.'],
  STORAGE_UNAVAILABLE: [
    'Chưa lưu được đánh giá; thiết bị sẽ tự gửi lại.',
    'Ratings could not be stored yet; the device will send them again.'
  ],
  TERMINAL_NOT_FOUND: ['Không tìm thấy thiết bị.', 'Terminal not found.'],
  TERMINAL_TOKEN_INVALID: ['Thiết bị chưa được ghép nối hoặc đã bị thu hồi.', 'This device is not paired or was revoked.'],
  TOP_LEVEL_UNIT_FORBIDDEN: [
    'Chỉ quản trị viên toàn hệ thống mới tạo được đơn vị cấp cao nhất.',
    'Only an admin of the whole tree can create a top-level unit.'
  ],
  UNIT_CODE_TAKEN: ['Mã đơn vị này đã được dùng.', 'This unit code is already used.'],
  UNIT_TOO_DEEP: ['Cây đơn vị không được sâu quá 32 cấp.', 'The unit tree may not be deeper than 32 levels.'],
  UNIT_CYCLE: [
    'Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới của nó.',
    'A unit cannot be moved under itself or one of its descendants.'
  ],
  UNIT_IS_SCOPE_ROOT: [
    'Đơn vị gốc của phạm vi chỉ do cấp trên thay đổi.',
    'The unit your access is rooted at can only be changed from above.'
  ],
  UNIT_NOT_FOUND: ['Không tìm thấy đơn vị.', 'Unit not found.'],
  UNIT_REQUIRED: ['Cần chọn đơn vị.', 'Choose a unit.'],
  UNSUPPORTED_MEDIA_TYPE: ['Định dạng dữ liệu gửi lên không được hỗ trợ.', 'The format of what was sent is not supported.'],
  USERNAME_TAKEN: ['Tên đăng nhập này đã được dùng.', 'This username is already used.'],
  USER_NOT_FOUND: ['Không tìm thấy người dùng.', 'User not found.'],
  VALIDATION_FAILED: ['Thông tin nhập chưa hợp lệ. Vui lòng kiểm tra lại.', 'Some of what was entered is not valid. Please check it.'],
  VALUE_OUT_OF_RANGE: ['Có số nằm ngoài phạm vi cho phép.', 'A number is out of range.'],
  VALUE_TOO_LONG: ['Có giá trị quá dài.', 'A value is too long.'],
  WEBSOCKET_REQUIRED: ['Chức năng này cần kết nối trực tiếp (WebSocket).', 'This needs a live (WebSocket) connection.'],
  WHOLE_TREE_ADMIN_REQUIRED: ['Chỉ quản trị viên toàn hệ thống mới làm được việc này.', 'Only an admin of the whole tree can do this.'],
  QUEUE_TOKEN_INVALID: [
    'Khóa tích hợp hệ thống xếp hàng không đúng hoặc đã thu hồi.', 'The queue integration token is unknown or revoked.'
  ],
  QUEUE_CALL_CONFLICT: [
    'Lượt gọi số này đã được ghi nhận với mã hồ sơ khác.', 'This call was already recorded with another dossier code.'
  ],
  RECEIPT_NOT_FOUND: ['Mã không hợp lệ.', 'This code is not valid.'],
  RECEIPT_EXPIRED: ['Mã này đã hết hạn.', 'This code has expired.'],
  RECEIPT_USED: ['Mã này đã được đánh giá.', 'This code has already been rated.']
}

/** The sentence for an error `code` in `lang`; an unknown code still reads as a sentence, naming the code for support. */
export function errorText (lang: Lang, code: string): string {
  // A client may meet a code newer than itself (or a plugin's own): looked up as any string.
  const texts = (errorTexts as Partial<Record<string, Texts>>)[code]
  if (texts !== undefined) return texts[lang === 'vi' ? 0 : 1]
  return lang === 'vi' ? `Không thực hiện được yêu cầu (mã lỗi ${code}).` : `The request could not be done (error code ${code}).`
}
