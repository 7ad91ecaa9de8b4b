export { Broker, type BrokerOptions } from './broker.ts';
export { type BrokerConfig, defaultBrokerConfig, kafkaConfigMap } from './config.ts';
