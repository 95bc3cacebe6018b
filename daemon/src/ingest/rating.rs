//! Rating: prices a call from a rate card.
