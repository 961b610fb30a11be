#!/usr/bin/env python3
"""Make the hourly wind and solar capacity-factor profiles ``inputs/power_profiles.csv``.

One representative 365-day year (8,760 hours, local time UTC+5) for a
Caspian-coast site in Mangystau, Kazakhstan, near Aktau
(43.65 N, 51.17 E). The method is described in ``docs/profiles.md``; every
parameter has a row in ``inputs/SOURCES.md``.

Solar
    pvlib solar position and Ineichen clear-sky irradiance (with pvlib's
    bundled Linke-turbidity climatology), a seeded day-level AR(1) clearness
    process plus an hourly AR(1) perturbation, Erbs beam/diffuse split,
    Hay-Davies transposition onto a fixed south-facing array tilted 34 deg,
    ASHRAE incidence-angle loss, Faiman cell temperature with a -0.40 %/K
    power coefficient and a lumped system derate; finally one scale factor
    so that the annual mean capacity factor equals the calibration target
    (0.18 by default).

Wind
    A seeded hourly AR(1) Gaussian latent variable mapped to a Weibull
    (k = 2) wind speed at hub height, whose scale has a seasonal (winter
    stronger) and a diurnal cycle; a generic IEC class-II power curve
    (cut-in 3, rated 12, cut-out 25 m/s, cubic in between); 10 % wake and
    availability losses; the Weibull scale is found by bisection so that
    the annual mean capacity factor equals the target (0.36 by default).

Requirements
    This script needs pvlib (``pip install pvlib``, or the optional extra
    ``pip install -e .[profiles]``), which brings numpy, pandas, scipy and
    h5py. The model itself does NOT need pvlib: it reads the shipped CSV.

Usage::

    python scripts/make_power_profiles.py --out inputs/power_profiles.csv [--seed 20241]

The output is deterministic: the same seed and library versions give a
byte-identical file (checked with pvlib 0.16.1, numpy 2.4.6, pandas 3.1.1,
scipy 1.17.1).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

try:
    import pvlib
    from scipy import special, stats
except ImportError as exc:  # pragma: no cover - depends on the environment
    sys.exit(
        f"make_power_profiles.py needs pvlib and scipy ({exc}). Install them with "
        "`pip install pvlib` (or the optional extra `pip install -e .[profiles]`). "
        "The model itself reads the shipped inputs/power_profiles.csv and does not need pvlib."
    )

# --------------------------------------------------------------------------
# Site and calendar
# --------------------------------------------------------------------------
LATITUDE = 43.65  # deg N, Caspian coast near Aktau (Mangystau)
LONGITUDE = 51.17  # deg E
ALTITUDE_M = 0.0  # m a.s.l.; the Caspian shore is at about -28 m, coastal plateau ~0-50 m
TIMEZONE = "Etc/GMT-5"  # fixed UTC+5, no daylight saving (POSIX sign convention)
CALENDAR_YEAR = 2023  # any non-leap year; used only for the solar geometry
HOURS = 8760

# --------------------------------------------------------------------------
# Solar parameters
# --------------------------------------------------------------------------
SOLAR_TARGET_CF = 0.18  # annual mean CF, own estimate within the sourced 0.16-0.25 span
TILT_DEG = 34.0  # latitude - 10 deg, rounded
AZIMUTH_DEG = 180.0  # south
ALBEDO = 0.25  # dry, light-coloured desert/steppe ground
#: Monthly mean ratio of all-sky to clear-sky daily irradiation, Jan..Dec (assumption).
CLEARNESS_MONTHLY = (0.55, 0.60, 0.66, 0.75, 0.82, 0.88, 0.90, 0.90, 0.87, 0.78, 0.63, 0.55)
CLEARNESS_CONCENTRATION = 6.0  # Beta(a, b) with a + b = 6: spread of daily clearness
CLEARNESS_DAY_PHI = 0.6  # lag-1 day autocorrelation of the latent cloudiness
CLEARNESS_HOUR_PHI = 0.7  # lag-1 hour autocorrelation of the intra-day perturbation
CLEARNESS_HOUR_SCALE = 0.5  # intra-day sd = scale * sqrt(r (1 - r)) for day ratio r
CLEARNESS_MIN = 0.03  # floor of the hourly all-sky/clear-sky ratio (thick overcast)
#: Monthly mean daily air temperature at Aktau, deg C, Jan..Dec (assumption, climate normals rounded).
TEMP_AIR_MONTHLY = (-1.0, -1.0, 4.0, 11.0, 18.0, 24.0, 27.0, 26.0, 20.0, 12.0, 5.0, 1.0)
TEMP_DIURNAL_AMPLITUDE = 4.0  # K, half of the day-night range; maximum at 15:00 local
PV_WIND_SPEED = 2.0  # m/s at module height, used only for the cell temperature
FAIMAN_U0, FAIMAN_U1 = 25.0, 6.84  # W/m2/K, W s/m3/K: pvlib defaults (open rack)
GAMMA_PDC = -0.0040  # 1/K power temperature coefficient, crystalline Si
ASHRAE_B0 = 0.05  # ASHRAE incidence-angle modifier parameter (pvlib default)
#: Lumped system losses: soiling 3 %, mismatch and DC wiring 3 %, inverter 3 %,
#: AC wiring and transformer 1.5 %, availability 1 % -> 0.890.
SOLAR_SYSTEM_DERATE = 0.97 * 0.97 * 0.97 * 0.985 * 0.99

# --------------------------------------------------------------------------
# Wind parameters
# --------------------------------------------------------------------------
WIND_TARGET_CF = 0.36  # annual mean CF, own estimate within the sourced 0.34-0.42 span
WEIBULL_K = 2.0  # shape (Rayleigh)
WIND_HOUR_PHI = 0.97  # lag-1 hour autocorrelation of the latent Gaussian (~33 h e-folding)
SEASONAL_AMPLITUDE = 0.12  # relative amplitude of the Weibull scale over the year
SEASONAL_PEAK_DOY = 30  # day of year of the windiest time (end of January)
DIURNAL_AMPLITUDE = 0.05  # relative amplitude of the Weibull scale over the day
DIURNAL_PEAK_HOUR = 15.0  # local hour of the windiest time of day (sea breeze, mixing)
CUT_IN, RATED, CUT_OUT = 3.0, 12.0, 25.0  # m/s, generic IEC class-II turbine
WIND_LOSSES = 0.10  # wake 7 % and availability 3 %, combined ~10 %
SCALE_BRACKET = (3.0, 15.0)  # m/s, bisection bracket for the Weibull scale

DEFAULT_SEED = 20241


@dataclass(frozen=True)
class Profiles:
    """Hourly capacity factors plus diagnostics of one generated year."""

    index: pd.DatetimeIndex
    wind_cf: np.ndarray
    solar_cf: np.ndarray
    wind_speed: np.ndarray
    weibull_scale: float
    solar_raw_mean: float
    solar_scale: float


def hourly_index() -> pd.DatetimeIndex:
    """Return the 8,760 hour-centred timestamps (HH:30, UTC+5) of the representative year."""
    return pd.date_range(f"{CALENDAR_YEAR}-01-01 00:30", periods=HOURS, freq="h", tz=TIMEZONE)


def ar1(rng: np.random.Generator, n: int, phi: float) -> np.ndarray:
    """Stationary AR(1) series with unit marginal variance.

    x[0] ~ N(0, 1); x[t] = phi * x[t-1] + sqrt(1 - phi**2) * e[t], e ~ N(0, 1).
    """
    e = rng.standard_normal(n)
    x = np.empty(n)
    x[0] = e[0]
    s = np.sqrt(1.0 - phi * phi)
    for t in range(1, n):
        x[t] = phi * x[t - 1] + s * e[t]
    return x


def bisect(f: Callable[[float], float], lo: float, hi: float, target: float, iters: int = 80) -> float:
    """Solve f(x) = target for x in [lo, hi], f increasing, by bisection."""
    f_lo, f_hi = f(lo), f(hi)
    if not (f_lo <= target <= f_hi):
        raise ValueError(f"target {target} outside [{f_lo:.4f}, {f_hi:.4f}] on [{lo}, {hi}]")
    for _ in range(iters):
        mid = 0.5 * (lo + hi)
        if f(mid) < target:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


# --------------------------------------------------------------------------
# Solar
# --------------------------------------------------------------------------
def clearness_ratio(index: pd.DatetimeIndex, rng_day: np.random.Generator, rng_hour: np.random.Generator) -> np.ndarray:
    """Hourly ratio of all-sky to clear-sky GHI, in [CLEARNESS_MIN, 1].

    A day-level AR(1) latent Gaussian z_d is mapped through the normal CDF to a
    uniform and then to a Beta quantile whose mean is the month's clearness
    (``CLEARNESS_MONTHLY``) and whose concentration a + b is
    ``CLEARNESS_CONCENTRATION``. An hourly AR(1) perturbation with standard
    deviation ``CLEARNESS_HOUR_SCALE * sqrt(r (1 - r))`` adds intra-day
    variability that vanishes on fully clear or fully overcast days.
    """
    days = HOURS // 24
    z_day = ar1(rng_day, days, CLEARNESS_DAY_PHI)
    u_day = special.ndtr(z_day)
    month_of_day = index.month.to_numpy()[::24] - 1
    mean = np.asarray(CLEARNESS_MONTHLY)[month_of_day]
    a = mean * CLEARNESS_CONCENTRATION
    b = (1.0 - mean) * CLEARNESS_CONCENTRATION
    r_day = stats.beta.ppf(u_day, a, b)
    r = np.repeat(r_day, 24)
    e_hour = ar1(rng_hour, HOURS, CLEARNESS_HOUR_PHI)
    r = r + CLEARNESS_HOUR_SCALE * np.sqrt(r * (1.0 - r)) * e_hour
    return np.clip(r, CLEARNESS_MIN, 1.0)


def air_temperature(index: pd.DatetimeIndex) -> np.ndarray:
    """Ambient temperature (deg C): monthly normal plus a cosine diurnal cycle peaking at 15:00."""
    monthly = np.asarray(TEMP_AIR_MONTHLY)[index.month.to_numpy() - 1]
    hour = index.hour.to_numpy() + index.minute.to_numpy() / 60.0
    return monthly + TEMP_DIURNAL_AMPLITUDE * np.cos(2 * np.pi * (hour - 15.0) / 24.0)


def solar_raw_cf(index: pd.DatetimeIndex, ratio: np.ndarray) -> np.ndarray:
    """Physical (uncalibrated) PV capacity factor per kWp DC for the given clearness ratio."""
    loc = pvlib.location.Location(LATITUDE, LONGITUDE, tz=TIMEZONE, altitude=ALTITUDE_M)
    sp = loc.get_solarposition(index)
    linke = pvlib.clearsky.lookup_linke_turbidity(index, LATITUDE, LONGITUDE)
    am_rel = pvlib.atmosphere.get_relative_airmass(sp["apparent_zenith"])
    am_abs = pvlib.atmosphere.get_absolute_airmass(am_rel, pvlib.atmosphere.alt2pres(ALTITUDE_M))
    dni_extra = pvlib.irradiance.get_extra_radiation(index)
    cs = pvlib.clearsky.ineichen(sp["apparent_zenith"], am_abs, linke, altitude=ALTITUDE_M, dni_extra=dni_extra)

    ghi = (cs["ghi"].to_numpy() * ratio).clip(min=0.0)
    ghi = pd.Series(ghi, index=index)
    split = pvlib.irradiance.erbs(ghi, sp["zenith"], index)
    poa = pvlib.irradiance.get_total_irradiance(
        TILT_DEG, AZIMUTH_DEG, sp["apparent_zenith"], sp["azimuth"],
        dni=split["dni"], ghi=ghi, dhi=split["dhi"], dni_extra=dni_extra,
        airmass=am_rel, albedo=ALBEDO, model="haydavies",
    )
    aoi = pvlib.irradiance.aoi(TILT_DEG, AZIMUTH_DEG, sp["apparent_zenith"], sp["azimuth"])
    iam = pvlib.iam.ashrae(aoi, b=ASHRAE_B0)
    effective = (poa["poa_direct"] * iam + poa["poa_diffuse"]).fillna(0.0).clip(lower=0.0)
    t_cell = pvlib.temperature.faiman(poa["poa_global"].fillna(0.0), air_temperature(index), PV_WIND_SPEED, FAIMAN_U0, FAIMAN_U1)
    p = effective / 1000.0 * (1.0 + GAMMA_PDC * (t_cell - 25.0)) * SOLAR_SYSTEM_DERATE
    p = p.where(sp["apparent_elevation"] > 0.0, 0.0)
    return p.clip(lower=0.0).to_numpy()


def calibrate_solar(raw: np.ndarray, target: float) -> tuple[np.ndarray, float]:
    """Scale the raw PV profile (capped at 1) so that its annual mean equals ``target``."""
    scale = bisect(lambda s: float(np.clip(s * raw, 0.0, 1.0).mean()), 0.1, 10.0, target)
    return np.clip(scale * raw, 0.0, 1.0), scale


# --------------------------------------------------------------------------
# Wind
# --------------------------------------------------------------------------
def wind_shape(index: pd.DatetimeIndex) -> np.ndarray:
    """Relative modulation of the Weibull scale: seasonal (winter stronger) times diurnal cosine."""
    doy = index.day_of_year.to_numpy()
    hour = index.hour.to_numpy() + index.minute.to_numpy() / 60.0
    seasonal = 1.0 + SEASONAL_AMPLITUDE * np.cos(2 * np.pi * (doy - SEASONAL_PEAK_DOY) / 365.0)
    diurnal = 1.0 + DIURNAL_AMPLITUDE * np.cos(2 * np.pi * (hour - DIURNAL_PEAK_HOUR) / 24.0)
    return seasonal * diurnal


def weibull_speed(u: np.ndarray, scale: np.ndarray | float) -> np.ndarray:
    """Weibull quantile: v = scale * (-ln(1 - u))**(1/k) with shape WEIBULL_K."""
    return scale * (-np.log1p(-u)) ** (1.0 / WEIBULL_K)


def power_curve(v: np.ndarray) -> np.ndarray:
    """Generic IEC class-II power curve, per unit of rated power.

    0 below cut-in (3 m/s) and at or above cut-out (25 m/s); 1 between rated
    (12 m/s) and cut-out; (v^3 - v_ci^3) / (v_r^3 - v_ci^3) in between.
    """
    p = (v**3 - CUT_IN**3) / (RATED**3 - CUT_IN**3)
    p = np.where(v < CUT_IN, 0.0, p)
    p = np.where(v >= RATED, 1.0, p)
    return np.where(v >= CUT_OUT, 0.0, p)


def wind_profile(index: pd.DatetimeIndex, rng: np.random.Generator, target: float) -> tuple[np.ndarray, np.ndarray, float]:
    """Return (wind CF, hub-height speed in m/s, calibrated Weibull scale in m/s)."""
    z = ar1(rng, HOURS, WIND_HOUR_PHI)
    u = np.clip(special.ndtr(z), 1e-12, 1.0 - 1e-12)
    shape = wind_shape(index)

    def cf(scale: float) -> float:
        return float(((1.0 - WIND_LOSSES) * power_curve(weibull_speed(u, scale * shape))).mean())

    scale = bisect(cf, *SCALE_BRACKET, target)
    v = weibull_speed(u, scale * shape)
    return (1.0 - WIND_LOSSES) * power_curve(v), v, scale


# --------------------------------------------------------------------------
# Driver
# --------------------------------------------------------------------------
def make_profiles(seed: int, wind_target: float, solar_target: float) -> Profiles:
    """Generate both profiles; random streams are independent children of ``seed``."""
    index = hourly_index()
    ss_wind, ss_day, ss_hour = np.random.SeedSequence(seed).spawn(3)
    wind_cf, speed, weibull_scale = wind_profile(index, np.random.default_rng(ss_wind), wind_target)
    ratio = clearness_ratio(index, np.random.default_rng(ss_day), np.random.default_rng(ss_hour))
    raw = solar_raw_cf(index, ratio)
    solar_cf, solar_scale = calibrate_solar(raw, solar_target)
    return Profiles(index, wind_cf, solar_cf, speed, weibull_scale, float(raw.mean()), solar_scale)


def write_csv(path: Path, wind_cf: np.ndarray, solar_cf: np.ndarray) -> None:
    """Write hour, wind_cf, solar_cf with 4 decimals, LF line endings (byte-stable)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = ["hour,wind_cf,solar_cf"]
    for h, (w, s) in enumerate(zip(wind_cf, solar_cf)):
        w4 = min(max(round(float(w), 4), 0.0), 1.0) + 0.0  # + 0.0 turns -0.0 into 0.0
        s4 = min(max(round(float(s), 4), 0.0), 1.0) + 0.0
        lines.append(f"{h},{w4:.4f},{s4:.4f}")
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        fh.write("\n".join(lines) + "\n")


def report(p: Profiles, out: Path) -> None:
    """Print annual, monthly and extreme statistics of the profiles as written (4 decimals)."""
    df = pd.DataFrame({"wind_cf": np.round(p.wind_cf, 4), "solar_cf": np.round(p.solar_cf, 4)}, index=p.index)
    print(f"site {LATITUDE:.2f} N, {LONGITUDE:.2f} E; year of {HOURS} h, UTC+5; wrote {out}")
    print(f"wind : annual CF {df.wind_cf.mean():.4f}  max {df.wind_cf.max():.4f}  "
          f"zero-output hours {(df.wind_cf == 0).mean():.1%}  Weibull scale {p.weibull_scale:.3f} m/s (k={WEIBULL_K:g})  "
          f"mean hub speed {p.wind_speed.mean():.2f} m/s")
    print(f"solar: annual CF {df.solar_cf.mean():.4f}  max {df.solar_cf.max():.4f}  "
          f"zero-output hours {(df.solar_cf == 0).mean():.1%}  physical (unscaled) CF {p.solar_raw_mean:.4f}  "
          f"calibration scale {p.solar_scale:.4f}")
    monthly = df.groupby(df.index.month).mean()
    print("month  wind_cf  solar_cf")
    for m, row in monthly.iterrows():
        print(f"{m:>5}  {row.wind_cf:7.3f}  {row.solar_cf:8.3f}")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", type=Path, default=Path("inputs/power_profiles.csv"), help="output CSV (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=DEFAULT_SEED, help="random seed (default: %(default)s)")
    ap.add_argument("--wind-target", type=float, default=WIND_TARGET_CF, help="annual mean wind CF (default: %(default)s)")
    ap.add_argument("--solar-target", type=float, default=SOLAR_TARGET_CF, help="annual mean solar CF (default: %(default)s)")
    args = ap.parse_args(argv)
    for name in ("wind_target", "solar_target"):
        if not 0.0 < getattr(args, name) < 0.9:
            ap.error(f"--{name.replace('_', '-')} must be in (0, 0.9)")
    profiles = make_profiles(args.seed, args.wind_target, args.solar_target)
    write_csv(args.out, profiles.wind_cf, profiles.solar_cf)
    report(profiles, args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
