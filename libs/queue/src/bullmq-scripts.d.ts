// BullMQ ships its Lua scripts as modules without declarations of their own (bullmq-add.ts).
declare module 'bullmq/dist/cjs/scripts/addStandardJob-9' {
  export const addStandardJob: { name: string; content: string; keys: number };
}
