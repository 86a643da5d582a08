// Officer photos (issue 13 §7): only paths under /photos/ on this site; remote URLs are refused on write, removed by the migration, and
// blocked by the CSP.
import t from 'tap'
import { up } from '../../migrations/2026_11_30_0203_same_origin_photos.ts'
import { build } from '../helper.ts'
import { seedCentre, seedUser, signIn } from '../fixtures.ts'

t.test('a photo is a path under /photos/ on this site; any other address is refused and changes nothing', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const cookies = await signIn(app, await seedUser(app.db, 'admin', null))
  const officer = centre.officers[0]!
  const refused = [
    'https://tracker.example/pixel.png',
    'http://192.168.1.10/anh.jpg',
    '//evil.example/a.jpg',
    '/\\evil.example/a.jpg',
    '/photos/../api/v1/users',
    '/photos/./x.jpg',
    '/photos/%2e%2e/x.jpg',
    '/api/v1/auth/me',
    'javascript:alert(1)',
    'data:image/png;base64,AAAA'
  ]
  for (const photoUrl of refused) {
    const patch = await app.inject({ method: 'PATCH', url: `/api/v1/officers/${officer.id}`, cookies, payload: { photoUrl } })
    t.equal(patch.statusCode, 400, `PATCH ${photoUrl} is refused`)
    t.equal(patch.json().code, 'VALIDATION_FAILED')
    const create = await app.inject({
      method: 'POST',
      url: '/api/v1/officers',
      cookies,
      payload: { unitId: centre.centreId, staffCode: 'ANH-1', fullName: 'Đỗ Văn Ảnh', photoUrl, pin: '802468' }
    })
    t.equal(create.statusCode, 400, `POST ${photoUrl} is refused`)
  }
  const row = await app.db.selectFrom('officers').select('photo_url').where('id', '=', officer.id).executeTakeFirstOrThrow()
  t.equal(row.photo_url, null, 'the photo is unchanged')
  t.equal(
    (await app.db.selectFrom('officers').select('id').where('staff_code', '=', 'ANH-1').execute()).length,
    0,
    'no officer was created'
  )

  const accepted = await app.inject({
    method: 'PATCH',
    url: `/api/v1/officers/${officer.id}`,
    cookies,
    payload: { photoUrl: '/photos/tt-hoa-binh/cb-001.jpg' }
  })
  t.equal(accepted.statusCode, 200)
  t.equal(accepted.json().photoUrl, '/photos/tt-hoa-binh/cb-001.jpg')
})

t.test('the migration removes remote photo addresses already stored; the pages may load images from this site only', async (t) => {
  const app = await build(t)
  const centre = await seedCentre(app.db)
  const [remote, local] = centre.officers
  await app.db.updateTable('officers').set({ photo_url: 'https://tracker.example/pixel.png' }).where('id', '=', remote!.id).execute()
  await app.db.updateTable('officers').set({ photo_url: '/photos/cb-002.jpg' }).where('id', '=', local!.id).execute()
  await up(app.db)
  const rows = new Map((await app.db.selectFrom('officers').select(['id', 'photo_url']).execute()).map((row) => [row.id, row.photo_url]))
  t.equal(rows.get(remote!.id), null, 'a remote address is removed: no terminal fetches it')
  t.equal(rows.get(local!.id), '/photos/cb-002.jpg', 'a photo on this site stays')

  for (const url of ['/terminal/', '/']) {
    const page = await app.inject({ url })
    const imgSrc = /img-src ([^;]*)/.exec(String(page.headers['content-security-policy']))?.[1] ?? ''
    t.notMatch(imgSrc, /https:|http:|\*/, `${url}: img-src (${imgSrc}) names no other host`)
    t.match(imgSrc, /'self'/)
  }
})
