// Every error code of the contract has a Vietnamese and an English sentence in the apps; the API's source writes no other code.
import { readdirSync, readFileSync } from 'node:fs'
import t from 'tap'
import { errorCodes } from '../../contract/errors.ts'
import { errorText, errorTexts } from '../../terminal/errors.ts'

const root = new URL('../../', import.meta.url)
const sources = ['api', 'db', 'contract', 'analytics'].flatMap((dir) =>
  readdirSync(new URL(dir, root), { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => ({ file: `${dir}/${file}`, text: readFileSync(new URL(`${dir}/${file}`, root), 'utf8') }))
)

/** The places an error code is written in the API: the error classes and helpers, rejected ratings, error bodies and the mapping tables. */
const patterns = [
  /(?:ApiError|AnalyticsInputError)\(\s*(?:\d+\s*,\s*)?'([A-Z][A-Z0-9_]+)'/g,
  /notFound\([^)]*?,\s*'([A-Z][A-Z0-9_]+)'\s*\)/g,
  /(?:badRequest|conflict|unauthorized|forbidden)\(\s*'([A-Z][A-Z0-9_]+)'/g,
  /rejected\([^,()]+,\s*'([A-Z][A-Z0-9_]+)'/g,
  /\bcode:\s*'([A-Z][A-Z0-9_]+)'/g,
  /errorBody\(([^)]*)\)/g,
  /\[\s*\d{3}\s*,\s*'([A-Z][A-Z0-9_]+)'/g,
  /FST_[A-Z_]+:\s*'([A-Z][A-Z0-9_]+)'/g,
  // codes chosen from a typed list (the password policy's problems): every literal of a `type XProblem = 'A' | 'B'`
  /type \w+Problem = ((?:'[A-Z][A-Z0-9_]+'(?:\s*\|\s*)?)+)/g,
  /\bcode(?::\s*ErrorCode)?\s*=\s*(?:[^'\n]*\?\?\s*\()?'([A-Z][A-Z0-9_]+)'/g,
  /statusCode === 429 \? '([A-Z][A-Z0-9_]+)'/g
]

function apiCodes (): Map<string, string> {
  const codes = new Map<string, string>()
  for (const { file, text } of sources) {
    for (const pattern of patterns) {
      for (const match of text.matchAll(pattern)) {
        // errorBody(status, a ? 'X' : 'Y', …) and typed lists: every literal code in them.
        const found =
          pattern.source.startsWith('errorBody') || pattern.source.startsWith('type')
            ? [...match[1]!.matchAll(/'([A-Z][A-Z0-9_]+)'/g)].map((inner) => inner[1]!)
            : [match[1]!]
        for (const code of found) if (!code.startsWith('FST_')) codes.set(code, file)
      }
    }
  }
  return codes
}

t.test("the API's error codes are found in its source (the reading works)", async (t) => {
  const codes = apiCodes()
  for (const known of [
    'UNIT_NOT_FOUND',
    'OFFICER_LOCKED',
    'VALIDATION_FAILED',
    'RATE_LIMITED',
    'ROUTE_NOT_FOUND',
    'ALREADY_EXISTS',
    'PARAMETER_TOO_LONG',
    'LEVEL_UNKNOWN',
    'RANGE_TOO_LONG',
    'DATABASE_UNAVAILABLE'
  ]) {
    t.ok(codes.has(known), `${known} is read from the source`)
  }
  t.ok(codes.size >= 60, `${codes.size} codes`)
})

t.test("the contract lists exactly the codes the API's source answers (a cross-check of the typed list)", async (t) => {
  const listed = new Set<string>(errorCodes)
  const outside = [...apiCodes()].filter(([code]) => !listed.has(code)).map(([code, file]) => `${code} (${file})`)
  t.same(outside, [], 'add the code to contract/errors.ts (ErrorCode)')
  const found = apiCodes()
  t.same(
    errorCodes.filter((code) => !found.has(code)),
    [],
    'every listed code is answered somewhere'
  )
  t.equal(listed.size, errorCodes.length, 'no code is listed twice')
})

t.test('every code of the contract has a Vietnamese and an English sentence', async (t) => {
  t.same(
    errorCodes.filter((code) => errorTexts[code] === undefined),
    [],
    'add the code to terminal/errors.ts'
  )
  const listed = new Set<string>(errorCodes)
  t.same(
    Object.keys(errorTexts).filter((code) => !listed.has(code)),
    [],
    'no text for a code outside the list'
  )
  for (const code of errorCodes) {
    const [vi, en] = errorTexts[code]
    t.ok(vi.trim() !== '' && en.trim() !== '' && vi !== en, `${code}: two different sentences`)
    t.ok(/[ăâđêôơưáàảãạéèẻẽẹíìỉĩịóòỏõọúùủũụýỳỷỹỵ]/i.test(vi) || /^[A-Z]/.test(vi), `${code}: the Vietnamese reads as Vietnamese`)
  }
})

t.test('the sentence follows the language; an unknown code still reads as a sentence naming it', async (t) => {
  t.equal(errorText('vi', 'UNIT_CODE_TAKEN'), 'Mã đơn vị này đã được dùng.')
  t.equal(errorText('en', 'UNIT_CODE_TAKEN'), 'This unit code is already used.')
  t.equal(errorText('vi', 'SOMETHING_NEW'), 'Không thực hiện được yêu cầu (mã lỗi SOMETHING_NEW).')
})
