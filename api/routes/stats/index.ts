// Statistics endpoints under /api/v1/stats (the analytics issue fills this in).
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'

const stats: FastifyPluginAsyncTypebox = async () => {}

export default stats
