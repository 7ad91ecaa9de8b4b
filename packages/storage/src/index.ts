// Public entry of @runnel/storage.
export {};
