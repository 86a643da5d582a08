// The OpenAPI document, built from the routes' TypeBox schemas, and Swagger UI at /docs.
import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Hài Lòng API',
        description: 'Citizen-satisfaction feedback for public administrative service centres. Errors are `{ statusCode, error, message, code }` with a stable `code`.',
        version: '1.0.0'
      },
      components: {
        securitySchemes: {
          session: { type: 'apiKey', in: 'cookie', name: 'hl_session', description: 'Set by POST /api/v1/auth/login.' },
          bearer: { type: 'http', scheme: 'bearer', description: 'A terminal token (terminal routes) or an API token (statistics).' }
        }
      }
    }
  })
  await app.register(swaggerUi, { routePrefix: '/docs' })
}, { name: 'swagger' })
