//! The admin socket and service.
