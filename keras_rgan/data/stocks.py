"""The Stocks benchmark data set (daily GOOG prices), shipped with the
package."""

import os

from keras_rgan.data.readers import read_csv

STOCKS_CSV = os.path.join(os.path.dirname(__file__), "stock_data.csv")


def load_stocks():
    """Loads the shipped Stocks data: one trading day a row, oldest first.

    Daily Google (GOOG) share prices from Yahoo Finance, August 2004 to 2019,
    as published with the TimeGAN paper (Yoon, Jarrett, van der Schaar,
    NeurIPS 2019; code under the Apache License 2.0). Prices are in dollars,
    volume in shares. See `STOCKS_ATTRIBUTION.md` beside the CSV.

    Returns:
        A tuple `(values, names)`: a float64 array `(3685, 6)` and the column
        names `Open, High, Low, Close, Adj_Close, Volume`.

    Example:

    >>> values, names = load_stocks()
    >>> values.shape, names[-1]
    ((3685, 6), 'Volume')
    """
    return read_csv(STOCKS_CSV)
