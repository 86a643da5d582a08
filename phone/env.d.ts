// Types for what Vite bundles besides TypeScript: the page's stylesheet.
declare module '*.css'
