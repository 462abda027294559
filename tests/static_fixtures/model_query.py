def find(User, email: str):
    return User.query.filter_by(email=email).first()
