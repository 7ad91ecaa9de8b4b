// Public entry of @runnel/controller.
export type { ControllerOptions } from './controller.ts';
export { Controller } from './controller.ts';
export type { CreateTopicsOutcome, TopicDefaults } from './logic/create-topics.ts';
export { createTopics, partitionsPerTopicMax } from './logic/create-topics.ts';
export { deleteTopics } from './logic/delete-topics.ts';
export { registerBroker } from './logic/register-broker.ts';
