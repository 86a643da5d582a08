// Types for what Vite bundles besides TypeScript: the app's stylesheet.
declare module '*.css'
