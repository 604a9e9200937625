"""Human alignment: ratings readers, agreement with metrics, SeSS tuning."""
