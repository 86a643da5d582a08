// Every error code the API answers, as one typed list, and the body of every error answer.
import { Type, type Static } from 'typebox'

/** The stable machine codes; a code not listed here fails the typecheck wherever an error is made or shown. */
export const ErrorCode = Type.Union([
  Type.Literal('ALERT_ALREADY_ACKNOWLEDGED'), Type.Literal('ALERT_NOT_FOUND'), Type.Literal('ALERT_RULE_NOT_FOUND'),
  Type.Literal('ALREADY_EXISTS'), Type.Literal('API_TOKEN_NOT_FOUND'), Type.Literal('API_TOKEN_OWNER_INACTIVE'),
  Type.Literal('ASSIGNEE_INVALID'), Type.Literal('ASSIGNMENT_NOT_FOUND'), Type.Literal('AUTH_REQUIRED'), Type.Literal('BAD_REQUEST'),
  Type.Literal('BAD_URL'),
  Type.Literal('BODY_TOO_LARGE'), Type.Literal('CASE_ALREADY_RESOLVED'), Type.Literal('CASE_NOT_FOUND'), Type.Literal('CASE_NOT_RESOLVED'),
  Type.Literal('CONSTRAINT_VIOLATED'), Type.Literal('COUNTER_INACTIVE'), Type.Literal('COUNTER_NOT_FOUND'),
  Type.Literal('COUNTER_NUMBER_TAKEN'), Type.Literal('CRITERIA_INVALID'), Type.Literal('CRITERION_UNKNOWN'),
  Type.Literal('DATABASE_UNAVAILABLE'), Type.Literal('EMPTY_JSON_BODY'), Type.Literal('FORBIDDEN'), Type.Literal('INTERNAL_ERROR'),
  Type.Literal('INTERVAL_INVALID'), Type.Literal('INVALID_CHARACTER'), Type.Literal('INVALID_CONTENT_LENGTH'),
  Type.Literal('INVALID_CREDENTIALS'), Type.Literal('INVALID_CURSOR'), Type.Literal('INVALID_DATE'), Type.Literal('INVALID_JSON'),
  Type.Literal('INVALID_RULE_PARAMETERS'), Type.Literal('INVALID_VALUE'), Type.Literal('LEVEL_UNKNOWN'), Type.Literal('METRICS_PRIVATE'),
  Type.Literal('METRICS_TOKEN_REQUIRED'), Type.Literal('NOTHING_TO_CHANGE'), Type.Literal('NOT_FOUND'),
  Type.Literal('OFFICER_ALREADY_LINKED'), Type.Literal('OFFICER_INACTIVE'), Type.Literal('OFFICER_LOCKED'),
  Type.Literal('OFFICER_NOT_FOUND'), Type.Literal('OFFICER_ONLY_FOR_OFFICER_ROLE'), Type.Literal('OFFICER_REQUIRED'),
  Type.Literal('ORIGIN_REJECTED'), Type.Literal('OWN_ACCESS_UNCHANGEABLE'), Type.Literal('PAIRING_CODE_INVALID'),
  Type.Literal('PARAMETER_TOO_LONG'), Type.Literal('PASSWORD_CONTAINS_USERNAME'), Type.Literal('PASSWORD_TOO_COMMON'),
  Type.Literal('PASSWORD_TOO_SHORT'), Type.Literal('RANGE_INVALID'), Type.Literal('RANGE_TOO_LONG'), Type.Literal('RATE_LIMITED'),
  Type.Literal('REFERENCE_NOT_FOUND'), Type.Literal('ROLE_NOT_ALLOWED'), Type.Literal('ROUTE_NOT_FOUND'), Type.Literal('SCALE_INVALID'),
  Type.Literal('STAFF_CODE_TAKEN'), Type.Literal('STORAGE_UNAVAILABLE'), Type.Literal('TERMINAL_NOT_FOUND'),
  Type.Literal('TERMINAL_TOKEN_INVALID'), Type.Literal('TOP_LEVEL_UNIT_FORBIDDEN'), Type.Literal('UNIT_CODE_TAKEN'),
  Type.Literal('UNIT_CYCLE'), Type.Literal('UNIT_IS_SCOPE_ROOT'), Type.Literal('UNIT_NOT_FOUND'), Type.Literal('UNIT_REQUIRED'),
  Type.Literal('UNIT_TOO_DEEP'), Type.Literal('UNSUPPORTED_MEDIA_TYPE'), Type.Literal('USERNAME_TAKEN'), Type.Literal('USER_NOT_FOUND'),
  Type.Literal('VALIDATION_FAILED'), Type.Literal('VALUE_OUT_OF_RANGE'), Type.Literal('VALUE_TOO_LONG'),
  Type.Literal('WEBSOCKET_REQUIRED'), Type.Literal('WHOLE_TREE_ADMIN_REQUIRED'),
  Type.Literal('QUEUE_TOKEN_INVALID'), Type.Literal('QUEUE_CALL_CONFLICT'),
  Type.Literal('RECEIPT_NOT_FOUND'), Type.Literal('RECEIPT_EXPIRED'), Type.Literal('RECEIPT_USED')
], { description: 'Stable machine code of an error' })
export type ErrorCode = Static<typeof ErrorCode>

/** The codes of the list, in order (for the OpenAPI enum and the tests). */
export const errorCodes: readonly ErrorCode[] = ErrorCode.anyOf.map((literal) => literal.const)

export const ErrorResponse = Type.Object({
  statusCode: Type.Integer({ description: 'HTTP status' }),
  error: Type.String({ description: 'HTTP status text' }),
  message: Type.String({ description: 'What went wrong, for people' }),
  // Listed as an enum for clients; serialised as a plain string (fast-json-stringify does not check enums), so an
  // unmapped code of a Fastify plugin still reaches the client instead of failing the answer.
  code: Type.Unsafe<ErrorCode>({ type: 'string', enum: [...errorCodes], description: 'Stable machine code, e.g. VALIDATION_FAILED' })
}, { $id: 'Error', description: 'Every error answer' })
export type ErrorResponse = Static<typeof ErrorResponse>
