// Loads something for a page and reloads when its key changes; stale answers are dropped.
import { useEffect, useState } from 'preact/hooks'
import { useConnection } from '../connection.ts'

export interface Loaded<T> { value: T | null, error: Error | null, loading: boolean, reload: () => void }

export function useLoad<T> (load: () => Promise<T>, key: unknown[]): Loaded<T> {
  const [value, setValue] = useState<T | null>(null)
  const [error, setError] = useState<Error | null>(null)
  const [loading, setLoading] = useState(true)
  const [round, setRound] = useState(0)
  // When the server comes back after an outage, everything on screen loads again.
  const connection = useConnection()
  useEffect(() => {
    let current = true
    setLoading(true)
    load().then((result) => {
      if (!current) return
      setValue(result)
      setError(null)
    }, (failure: unknown) => {
      if (current) setError(failure instanceof Error ? failure : new Error(String(failure)))
    }).finally(() => { if (current) setLoading(false) })
    return () => { current = false }
  }, [...key, round, connection.round])
  return { value, error, loading, reload: () => setRound((n) => n + 1) }
}
