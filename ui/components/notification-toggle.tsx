/** @module Asks for permission to notify; the browser only allows asking from a click. */
import { useState } from 'preact/hooks'
import { notificationsSupported } from '../state/notifications.ts'

export const NotificationToggle = () => {
  const [permission, setPermission] = useState(() => (notificationsSupported() ? Notification.permission : 'denied'))
  if (!notificationsSupported() || permission !== 'default') return null
  return (
    <button class="link" onClick={() => void Notification.requestPermission().then(setPermission)}>
      Notify me in the background
    </button>
  )
}
