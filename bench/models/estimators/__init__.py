"""The estimators behind the model entries: scikit-learn classifiers wrapping each library."""
