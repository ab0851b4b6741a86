declare module "*?raw" {
  const content: string;
  export default content;
}

/** The compiled Worker (`npm run build`), called directly by test/helpers/worker.ts. */
declare module "*/build/index.js" {
  const worker: unknown;
  export default worker;
}
