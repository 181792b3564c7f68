export * from './run';
export * from './limits';
export * from './checker';
export * from './job';
export * from './queue';
export * from './launcher';
export * from './job-data';
