// Public entry of @runnel/broker.
export {};
