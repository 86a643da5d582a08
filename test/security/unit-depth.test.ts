// Unit tree depth (issue 13 §7): deeper than 32 levels is refused with a code, and no move or insert can make a cycle that hangs the
// database.
import t from 'tap'
import { sql } from 'kysely'
import type { FastifyInstance } from 'fastify'
import { build } from '../helper.ts'
import { seedUser, signIn } from '../fixtures.ts'

const MAX_DEPTH = 32

/** Fails instead of waiting forever: a query that loops over a cycle must not take the test (or the server) with it. */
async function within<T> (ms: number, what: string, work: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  const late = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms)
  })
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}

async function chain (
  app: FastifyInstance,
  cookies: Record<string, string>,
  prefix: string,
  parentId: string | null,
  levels: number
): Promise<string[]> {
  const ids: string[] = []
  let parent = parentId
  for (let level = 1; level <= levels; level++) {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/units',
      cookies,
      payload: { parentId: parent, kind: 'other', code: `${prefix}${level}`, name: `Cấp ${level}` }
    })
    if (response.statusCode !== 201) throw new Error(`level ${level}: ${response.body}`)
    parent = response.json().id
    ids.push(parent!)
  }
  return ids
}

t.test('the API refuses a unit below level 32 and a move that would make the tree deeper, with UNIT_TOO_DEEP', async (t) => {
  const app = await build(t)
  const cookies = await signIn(app, await seedUser(app.db, 'admin', null))
  const levels = await chain(app, cookies, 'L', null, MAX_DEPTH)
  t.equal(levels.length, MAX_DEPTH, `${MAX_DEPTH} levels are allowed`)
  const count = async (): Promise<number> => (await app.db.selectFrom('units').select('id').execute()).length
  const before = await count()

  const tooDeep = await app.inject({
    method: 'POST',
    url: '/api/v1/units',
    cookies,
    payload: { parentId: levels.at(-1), kind: 'other', code: 'L33', name: 'Cấp 33' }
  })
  t.equal(tooDeep.statusCode, 400)
  t.equal(tooDeep.json().code, 'UNIT_TOO_DEEP')
  t.equal(await count(), before, 'nothing was created')

  const branch = await chain(app, cookies, 'B', null, 5)
  const move = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${branch[0]}`,
    cookies,
    payload: { parentId: levels[MAX_DEPTH - 3] }
  })
  t.equal(move.statusCode, 400, 'a 5-level branch under level 30 would reach level 35')
  t.equal(move.json().code, 'UNIT_TOO_DEEP')
  const fits = await app.inject({
    method: 'PATCH',
    url: `/api/v1/units/${branch[0]}`,
    cookies,
    payload: { parentId: levels[MAX_DEPTH - 6] }
  })
  t.equal(fits.statusCode, 200, 'under level 27 it ends at level 32')

  const cycle = await within(
    10_000,
    'moving the root under its deepest descendant',
    app.inject({ method: 'PATCH', url: `/api/v1/units/${levels[0]}`, cookies, payload: { parentId: levels.at(-1) } })
  )
  t.equal(cycle.statusCode, 400)
  t.equal(cycle.json().code, 'UNIT_CYCLE')
  const root = await app.db.selectFrom('units').select('parent_id').where('id', '=', levels[0]!).executeTakeFirstOrThrow()
  t.equal(root.parent_id, null, 'the root stayed where it was')
})

t.test('the database itself refuses a 102-deep chain and a cycle, at once', async (t) => {
  const app = await build(t)
  const ids: string[] = []
  let refusedAt: number | null = null
  for (let level = 1; level <= 102; level++) {
    try {
      const row = await within(
        10_000,
        `inserting level ${level}`,
        app.db
          .insertInto('units')
          .values({ parent_id: ids.at(-1) ?? null, kind: 'other', code: `D${level}`, name: `Cấp ${level}` })
          .returning('id')
          .executeTakeFirstOrThrow()
      )
      ids.push(row.id)
    } catch (error) {
      refusedAt = level
      t.match(String((error as Error).message), /deeper than 32 levels/, 'the error says why')
      break
    }
  }
  t.equal(refusedAt, MAX_DEPTH + 1, 'level 33 is refused by the database, whoever writes')

  const cycle = await within(
    10_000,
    'a cycle by SQL',
    app.db
      .updateTable('units')
      .set({ parent_id: ids.at(-1)! })
      .where('id', '=', ids[0]!)
      .execute()
      .then(
        () => 'stored',
        (error: Error) => error.message
      )
  )
  t.match(cycle, /under itself/, 'a cycle is refused, not looped over')
  const root = await app.db.selectFrom('units').select('parent_id').where('id', '=', ids[0]!).executeTakeFirstOrThrow()
  t.equal(root.parent_id, null)
  const answer = await within(
    10_000,
    'a read after the refused cycle',
    sql<{ n: number }>`select count(*)::int as n from units`.execute(app.db)
  )
  t.ok(answer.rows[0]!.n >= MAX_DEPTH, 'the database still answers')
})
