// Schemas of the queue integration (issue 17): a centre's queue system reports that a ticket was called to a counter.
import { Type, type Static } from 'typebox'
import { DossierCode, Ticket, Timestamp, Uuid } from './common.ts'

export const QueueCallBody = Type.Object(
  {
    counterId: Type.String({ format: 'uuid', description: 'The counter the ticket is called to (Quản trị → Quầy shows its id)' }),
    ticket: Ticket,
    calledAt: Type.String({ format: 'date-time', description: 'When the queue system called the ticket, ISO 8601 with offset' }),
    dossierCode: Type.Optional(DossierCode)
  },
  { additionalProperties: false }
)
export type QueueCallBody = Static<typeof QueueCallBody>

export const QueueCall = Type.Object(
  {
    id: Uuid,
    counterId: Uuid,
    ticket: Type.String(),
    dossierCode: Type.Union([Type.Null(), Type.String()]),
    calledAt: Timestamp,
    receivedAt: Timestamp
  },
  { description: 'A call of a ticket to a counter, as stored (a retried call answers the stored one)' }
)
export type QueueCall = Static<typeof QueueCall>

/** The call a terminal shows on its rating screen and attaches to the next rating. */
export const CurrentCall = Type.Object(
  {
    ticket: Type.String({ description: 'The queue number as printed, e.g. "1023"' }),
    dossierCode: Type.Union([Type.Null(), Type.String()]),
    calledAt: Timestamp
  },
  { description: 'The latest call to the counter not yet rated, received within the last 30 minutes' }
)
export type CurrentCall = Static<typeof CurrentCall>
