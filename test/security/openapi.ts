// The API's operations as the OpenAPI document (@fastify/swagger) lists them: the suites derive their routes from it.
import type { FastifyInstance } from 'fastify'

/** A JSON schema node as @fastify/swagger renders TypeBox schemas (loosely typed on purpose). */
export type JsonSchema = Record<string, any>

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header' | 'cookie'
  required: boolean
  schema: JsonSchema
  example?: unknown
}

export interface Operation {
  /** "METHOD /path" exactly as in the document, e.g. "PATCH /api/v1/units/{id}". */
  key: string
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'
  /** The document's path template, e.g. /api/v1/units/{id}. */
  path: string
  parameters: Parameter[]
  /** The application/json request body schema, when the operation takes one. */
  body: JsonSchema | null
  /** The security requirement names the document gives (session, bearer); empty when none is given. */
  security: string[]
}

export function operationsOf (app: FastifyInstance): { operations: Operation[]; resolve: (schema: JsonSchema) => JsonSchema } {
  const document = app.swagger() as { paths: Record<string, Record<string, any>>; components?: { schemas?: Record<string, JsonSchema> } }
  const components = document.components?.schemas ?? {}
  const resolve = (schema: JsonSchema): JsonSchema => {
    let node = schema
    for (let depth = 0; typeof node?.$ref === 'string' && depth < 10; depth++) {
      node = components[node.$ref.replace('#/components/schemas/', '')] ?? {}
    }
    return node ?? {}
  }
  const operations: Operation[] = []
  for (const [path, item] of Object.entries(document.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (!['get', 'post', 'put', 'patch', 'delete'].includes(method)) continue
      const body = operation.requestBody?.content?.['application/json']?.schema
      operations.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase() as Operation['method'],
        path,
        parameters: (operation.parameters ?? []).map((parameter: any) => ({
          ...parameter,
          required: parameter.required === true,
          schema: resolve(parameter.schema ?? {})
        })),
        body: body === undefined ? null : resolve(body),
        security: (operation.security ?? []).flatMap((requirement: Record<string, unknown>) => Object.keys(requirement))
      })
    }
  }
  return { operations, resolve }
}

/** Fills the path template: /api/v1/units/{id} with { id } → /api/v1/units/<id> (values are inserted as given, already encoded). */
export function fillPath (path: string, values: Record<string, string>): string {
  return path.replace(/\{([^}]+)\}/g, (_match, name: string) => values[name] ?? '')
}
