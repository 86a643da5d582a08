// Schemas of the organisation: units, counters, officers and their shifts at counters.
import { Type, type Static } from 'typebox'
import { Timestamp, Uuid } from './common.ts'

/** Free text people type: no NUL (PostgreSQL rejects it) and not only blanks. */
export const Text = (minLength: number, maxLength: number, description: string) =>
  Type.String({ minLength, maxLength, pattern: minLength > 0 ? '^[^\\u0000]*[^\\s\\u0000][^\\u0000]*$' : '^[^\\u0000]*$', description })

export const NullableUuid = (description: string) => Type.Union([Type.Null(), Uuid], { description })

export const UnitKind = Type.Union(
  [
    Type.Literal('province'),
    Type.Literal('commune'),
    Type.Literal('ward'),
    Type.Literal('special_zone'),
    Type.Literal('centre'),
    Type.Literal('agency'),
    Type.Literal('other')
  ],
  { description: 'What the unit is: province, commune, ward, special zone, service centre, agency or other' }
)
export type UnitKind = Static<typeof UnitKind>

const UnitCode = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9._/-]+$',
  description: 'Official code, unique (letters, digits, . _ / -)'
})
const UnitName = Text(1, 200, 'Name, e.g. "Trung tâm Phục vụ hành chính công tỉnh"')

export const Unit = Type.Object(
  {
    id: Uuid,
    parentId: NullableUuid('The parent unit; null for a top-level unit'),
    kind: UnitKind,
    code: UnitCode,
    name: Type.String({ description: 'Name' }),
    satisfactionTarget: Type.Union([Type.Null(), Type.Number({ minimum: 0, maximum: 1 })], {
      description: 'Satisfaction target as a fraction (0.95), drawn on the charts; null: the SIPAS 2030 default of 95 %'
    }),
    caseSlaDays: Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 30 })], {
      description: 'Working days (Monday–Saturday morning) to follow up a case opened here; null: as the parent unit (the top: 2)'
    }),
    receiptDays: Type.Union([Type.Null(), Type.Integer({ minimum: 1, maximum: 90 })], {
      description: 'Days a receipt code issued here (rate later from a phone, /r/<code>) stays valid; null: as the parent unit (the top: 7)'
    })
  },
  { description: 'A unit of the tree: province, commune/ward, service centre, agency' }
)
export type Unit = Static<typeof Unit>

export const UnitListQuery = Type.Object({
  parentId: Type.Optional(
    Type.Union([Uuid, Type.Literal('root')], {
      description: 'Only the direct children of this unit; "root" gives the top of your scope (the top-level units, or your own root unit)'
    })
  )
})
export type UnitListQuery = Static<typeof UnitListQuery>

export const UnitCreateBody = Type.Object(
  {
    parentId: NullableUuid('The parent unit (inside your scope); null creates a top-level unit (admins of the whole tree only)'),
    kind: UnitKind,
    code: UnitCode,
    name: UnitName
  },
  { additionalProperties: false }
)
export type UnitCreateBody = Static<typeof UnitCreateBody>

export const UnitUpdateBody = Type.Object(
  {
    parentId: Type.Optional(NullableUuid('Moves the unit under this parent; a move that would create a cycle is refused')),
    kind: Type.Optional(UnitKind),
    code: Type.Optional(UnitCode),
    name: Type.Optional(UnitName),
    satisfactionTarget: Type.Optional(
      Type.Union([Type.Null(), Type.Number({ minimum: 0, maximum: 1 })], {
        description: 'Satisfaction target as a fraction (0.95); null: the SIPAS 2030 default of 95 %'
      })
    ),
    caseSlaDays: Type.Optional(
      // `const: null`, not `type: null`: the body's type coercion would turn 0 into null (inherit) instead of refusing it.
      Type.Union([Type.Unsafe<null>({ const: null }), Type.Integer({ minimum: 1, maximum: 30 })], {
        description: 'Working days to follow up a case opened from now on; null: as the parent unit (the top: 2)'
      })
    ),
    receiptDays: Type.Optional(
      Type.Union([Type.Unsafe<null>({ const: null }), Type.Integer({ minimum: 1, maximum: 90 })], {
        description: 'Days a receipt code issued from now on stays valid; null: as the parent unit (the top: 7)'
      })
    )
  },
  { additionalProperties: false, minProperties: 1 }
)
export type UnitUpdateBody = Static<typeof UnitUpdateBody>

const CounterNumber = Type.Integer({ minimum: 1, maximum: 9999, description: 'Counter number shown to citizens, unique in its unit' })
const CounterName = Text(1, 200, 'Name, e.g. "Quầy 3 — Tư pháp"')

export const CounterOfficer = Type.Object(
  {
    id: Uuid,
    staffCode: Type.String(),
    fullName: Type.String(),
    since: Timestamp
  },
  { description: "The officer of the counter's open shift" }
)
export type CounterOfficer = Static<typeof CounterOfficer>

export const Counter = Type.Object(
  {
    id: Uuid,
    unitId: Uuid,
    number: CounterNumber,
    name: Type.String(),
    active: Type.Boolean({ description: 'Inactive counters take no shifts' }),
    officer: Type.Optional(Type.Union([Type.Null(), CounterOfficer], { description: 'Who serves there now (lists and single reads)' }))
  },
  { description: 'A counter (quầy) of a unit' }
)
export type Counter = Static<typeof Counter>

export const CounterListQuery = Type.Object({
  unitId: Type.Optional(Type.String({ format: 'uuid', description: "Only counters in this unit's subtree" })),
  active: Type.Optional(Type.Boolean({ description: 'Only active (true) or inactive (false) counters' }))
})
export type CounterListQuery = Static<typeof CounterListQuery>

export const CounterCreateBody = Type.Object(
  {
    unitId: Uuid,
    number: CounterNumber,
    name: CounterName,
    active: Type.Optional(Type.Boolean({ default: true }))
  },
  { additionalProperties: false }
)
export type CounterCreateBody = Static<typeof CounterCreateBody>

export const CounterUpdateBody = Type.Object(
  {
    number: Type.Optional(CounterNumber),
    name: Type.Optional(CounterName),
    active: Type.Optional(Type.Boolean({ description: "false also ends the counter's open shift" }))
  },
  { additionalProperties: false, minProperties: 1 }
)
export type CounterUpdateBody = Static<typeof CounterUpdateBody>

export const Assignment = Type.Object(
  {
    id: Uuid,
    unitId: Uuid,
    counterId: Uuid,
    officerId: Uuid,
    startedAt: Timestamp,
    endedAt: Type.Union([Type.Null(), Timestamp], { description: 'null while the shift is open' })
  },
  { description: "A shift: the officer credited with the counter's ratings from startedAt to endedAt" }
)
export type Assignment = Static<typeof Assignment>

export const AssignmentBody = Type.Object(
  {
    officerId: Uuid
  },
  { additionalProperties: false }
)
export type AssignmentBody = Static<typeof AssignmentBody>

const StaffCode = Type.String({
  minLength: 1,
  maxLength: 32,
  pattern: '^[A-Za-z0-9._-]+$',
  description: 'Staff code typed at the terminal, unique (letters, digits, . _ -)'
})
const Pin = Type.String({ pattern: '^[0-9]{4,8}$', description: 'PIN, 4–8 digits; stored hashed, never returned' })
// Only a path under /photos/ on this site: a terminal never fetches another host (a tracking pixel, a LAN address).
// Each segment starts with a letter, digit, _ or -, so no `.`/`..` segment and no encoded character can leave /photos/.
const PhotoUrl = Type.Union(
  [
    Type.Null(),
    Type.String({
      maxLength: 300,
      pattern: '^/photos(/[A-Za-z0-9_-][A-Za-z0-9._-]*)+$',
      description:
        'A path under /photos/ on this site, e.g. /photos/tt-hoa-binh/cb-001.jpg (served by the reverse proxy or the static folder); other hosts are refused'
    })
  ],
  { description: 'Photo shown on the terminal' }
)

export const Officer = Type.Object(
  {
    id: Uuid,
    unitId: Uuid,
    staffCode: Type.String(),
    fullName: Type.String(),
    title: Type.String({ description: 'Job title, e.g. "Chuyên viên"' }),
    photoUrl: Type.Union([Type.Null(), Type.String()]),
    active: Type.Boolean(),
    pinSet: Type.Boolean({ description: 'Whether a PIN is set' }),
    pinLockedUntil: Type.Union([Type.Null(), Timestamp], {
      description: 'Set while sign-in is locked after failed PINs; a PIN reset clears it'
    })
  },
  { description: 'An officer (cán bộ); the home unit may differ from the centre where the officer serves' }
)
export type Officer = Static<typeof Officer>

export const OfficerListQuery = Type.Object({
  unitId: Type.Optional(Type.String({ format: 'uuid', description: "Only officers of this unit's subtree" })),
  active: Type.Optional(Type.Boolean())
})
export type OfficerListQuery = Static<typeof OfficerListQuery>

export const OfficerCreateBody = Type.Object(
  {
    unitId: Uuid,
    staffCode: StaffCode,
    fullName: Text(1, 200, 'Full name'),
    title: Type.Optional(Text(0, 200, 'Job title')),
    photoUrl: Type.Optional(PhotoUrl),
    pin: Pin,
    active: Type.Optional(Type.Boolean({ default: true }))
  },
  { additionalProperties: false }
)
export type OfficerCreateBody = Static<typeof OfficerCreateBody>

export const OfficerUpdateBody = Type.Object(
  {
    unitId: Type.Optional(Uuid),
    staffCode: Type.Optional(StaffCode),
    fullName: Type.Optional(Text(1, 200, 'Full name')),
    title: Type.Optional(Text(0, 200, 'Job title')),
    photoUrl: Type.Optional(PhotoUrl),
    pin: Type.Optional(
      Type.String({ pattern: '^[0-9]{4,8}$', description: 'A new PIN (reset): also clears the failure count and lockout' })
    ),
    active: Type.Optional(Type.Boolean({ description: "false also ends the officer's open shift" }))
  },
  { additionalProperties: false, minProperties: 1 }
)
export type OfficerUpdateBody = Static<typeof OfficerUpdateBody>
